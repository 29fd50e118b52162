"""The minutes app's pages, one module per area (``config/urls.py`` maps them):

- ``record``: the live minutes page and its forms (decisions, actions, attendance, next reviews);
- ``cockpit``: the meeting cockpit, one item at a time, answering with htmx fragments;
- ``approval``: approving the minutes, requesting and declining corrections;
- ``approved``: the approved record per audience, and its PDF and DOCX;
- ``actions``: actions between meetings (my actions, an action's page and its signed link, the register);
- ``children``: a child's timeline and plan documents, a case manager's children.
"""
