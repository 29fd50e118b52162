// Load generator for bench/minutes_load.py: y-websocket clients appending small edits to shared minutes.
//
//   node load.mjs <config.json>
//
// The config (written by minutes_load.py) lists rooms, each with its editors (websocket base URL, cookie,
// origin), the edit rate, the duration and the output file. Every client applies the same seed update
// (one TipTap paragraph, made with a fixed client id) before it connects, so all editors append to the
// same XmlText. An edit appends "[<client>.<seq>@<ms>] " (ms: send time) at the end of that text.
//
// Arrivals are tracked by Yjs client id and clock: the sender notes the clock its edit ends at and the send
// time; a receiver's transaction that moves the sender's clock to or past that point is the edit's arrival
// (cheap: computing text deltas walks the whole text, which would make the generator the bottleneck). All
// editors of a room live in one process. The texts' markers are used at the end to check for lost edits.
//
// Protocol with the orchestrator (stdout/stdin lines): prints READY once every client is synced, waits for
// GO on stdin, prints DRAINED when sending is over and every edit arrived (or the drain timed out), then
// checks convergence (every client's text, and the text a fresh client gets from the server), writes the
// results and prints DONE.

import { readFileSync, writeFileSync } from 'node:fs'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'

import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'))
process.setMaxListeners(0) // every provider listens for the process's exit
const now = () => performance.timeOrigin + performance.now() - config.epoch
const MARK = /\[(\d+)\.(\d+)@(\d+\.\d)\]/g
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const log = (line) => process.stdout.write(line + '\n')

function seedUpdate () {
  const doc = new Y.Doc()
  doc.clientID = 1 // the same seed for every client and both servers
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText('Minutes. ')])
  doc.getXmlFragment('default').insert(0, [paragraph])
  return Y.encodeStateAsUpdate(doc)
}
const SEED = seedUpdate()

let framesIn = 0
let bytesIn = 0
let framesByKind = {}
const KINDS = { '0.0': 'sync step 1', '0.1': 'sync step 2', '0.2': 'update', 1: 'awareness', 3: 'query awareness' }
function countFrame (data) {
  const bytes = new Uint8Array(data)
  const kind = KINDS[bytes[0] === 0 ? `0.${bytes[1]}` : bytes[0]] || `other ${bytes[0]}`
  framesByKind[kind] = (framesByKind[kind] || 0) + 1
}
function socketClass (cookie, origin) {
  return class extends WebSocket {
    constructor (url, protocols) {
      super(url, protocols, { headers: cookie ? { Cookie: cookie } : {}, origin, perMessageDeflate: false })
      this.addEventListener('message', (event) => {
        framesIn += 1
        bytesIn += event.data.byteLength
        countFrame(event.data)
      })
    }
  }
}

function connect (spec, room, doc) {
  return new WebsocketProvider(spec.url, room, doc, {
    WebSocketPolyfill: socketClass(spec.cookie, spec.origin), disableBc: true, maxBackoffTime: 1000
  })
}

const clients = []
const byYid = new Map() // Yjs client id -> load client
const rooms = config.rooms.map((room) => ({ name: room.name, clients: [] }))
const latencies = [] // one per (edit, receiving editor)
const closes = []
let firstSend = Infinity
let lastArrival = 0

function arrived (receiver, transaction) {
  const t = now()
  transaction.afterState.forEach((clock, yid) => {
    const sender = byYid.get(yid)
    if (sender === undefined || sender === receiver) return
    const seen = receiver.seen.get(sender) || 0
    let i = seen
    while (i < sender.edits.length && sender.edits[i].end <= clock) {
      const edit = sender.edits[i]
      const latency = t - edit.sent
      latencies.push(latency)
      edit.arrivals += 1
      if (latency > edit.worst) edit.worst = latency
      i += 1
    }
    if (i !== seen) {
      receiver.seen.set(sender, i)
      receiver.received += i - seen
      lastArrival = t
    }
  })
}

rooms.forEach((room, r) => {
  config.rooms[r].clients.forEach((spec) => {
    const doc = new Y.Doc()
    Y.applyUpdate(doc, SEED)
    const text = doc.getXmlFragment('default').get(0).get(0)
    const client = { cid: clients.length, room, doc, text, edits: [], seen: new Map(), received: 0, reconnects: 0 }
    doc.on('afterTransaction', (transaction) => { if (!transaction.local) arrived(client, transaction) })
    client.provider = connect(spec, room.name, doc)
    client.provider.on('connection-close', (event) => {
      client.reconnects += 1
      if (event && event.code !== 1000) closes.push(event.code)
    })
    byYid.set(doc.clientID, client)
    room.clients.push(client)
    clients.push(client)
  })
})

async function waitFor (predicate, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) {
      const codes = closes.reduce((counts, code) => ({ ...counts, [code]: (counts[code] || 0) + 1 }), {})
      throw new Error(`timed out waiting for ${what}; socket closes by code: ${JSON.stringify(codes)}`)
    }
    await sleep(20)
  }
}

await waitFor(() => clients.every((c) => c.provider.synced), 120000, 'every client to sync')
for (const c of clients) c.reconnects = 0
closes.length = 0 // count only what happens under load
log('READY')
const stdin = createInterface({ input: process.stdin })
await new Promise((resolve) => stdin.on('line', (line) => { if (line.trim() === 'GO') resolve() }))

framesIn = 0
bytesIn = 0
framesByKind = {}
const loop = monitorEventLoopDelay({ resolution: 1 })
loop.enable()
const period = 1000 / config.rate
const start = now()
const stopAt = start + config.seconds * 1000
function edit (client) {
  const t = now()
  const seq = client.edits.length
  client.text.insert(client.text.length, `[${client.cid}.${seq}@${t.toFixed(1)}] `)
  client.edits.push({ end: Y.getState(client.doc.store, client.doc.clientID), sent: t, arrivals: 0, worst: 0 })
  if (t < firstSend) firstSend = t
}
await Promise.all(clients.map(async (client) => {
  let due = start + Math.random() * period // each editor on its own phase
  while (due < stopAt) {
    const wait = due - now()
    if (wait > 0) await sleep(wait)
    edit(client) // a late timer sends at once: the number of edits stays rate x seconds
    due += period
  }
}))
const sentAll = now()
loop.disable()

const expected = (client) => client.room.clients.reduce((n, o) => n + (o === client ? 0 : o.edits.length), 0)
const allArrived = () => clients.every((c) => c.received >= expected(c))
let progress = -1
let still = now()
while (!allArrived()) {
  const total = clients.reduce((n, c) => n + c.received, 0)
  if (total !== progress) { progress = total; still = now() }
  if (now() - still > config.drain * 1000 || now() - sentAll > config.maxDrain * 1000) break
  await sleep(50)
}
const drained = now()
log('DRAINED')

// convergence: every client's document, and the state a fresh client gets from the server
const verify = rooms.map((room, r) => {
  const doc = new Y.Doc()
  return { room, doc, provider: connect(config.rooms[r].verifier, room.name, doc) }
})
try {
  await waitFor(() => verify.every((v) => v.provider.synced), 60000, 'the verifiers to sync')
} catch (error) {
  log(`verification incomplete: ${error.message}`) // a room whose verifier never synced is reported unverified
}
await sleep(200)
const roomResults = rooms.map((room, r) => {
  const texts = room.clients.map((c) => c.text.toString())
  const xml = room.clients.map((c) => c.doc.getXmlFragment('default').toString())
  const server = verify[r].doc.getXmlFragment('default')
  const serverText = server.length ? server.get(0).get(0).toString() : ''
  const found = texts.map((t) => new Set([...t.matchAll(MARK)].map((m) => `${m[1]}.${m[2]}`)))
  let missing = 0
  for (const c of room.clients) {
    for (let s = 0; s < c.edits.length; s++) for (const f of found) if (!f.has(`${c.cid}.${s}`)) missing += 1
  }
  return {
    name: room.name,
    sent: room.clients.reduce((n, c) => n + c.edits.length, 0),
    clientsAgree: texts.every((t) => t === texts[0]) && xml.every((x) => x === xml[0]),
    serverAgrees: verify[r].provider.synced ? serverText === texts[0] && server.toString() === xml[0] : null,
    missingClientEdits: missing,
    duplicated: (texts[0].match(MARK) || []).length - found[0].size,
    text: texts[0],
    xml: xml[0]
  }
})
const reconnects = clients.reduce((n, c) => n + c.reconnects, 0)
for (const v of verify) v.provider.destroy()
for (const c of clients) c.provider.destroy()

const pct = (p) => Math.max(0, loop.percentile(p) / 1e6 - 1) // the histogram includes the 1 ms resolution
const allEdits = clients.flatMap((c) => c.edits)
writeFileSync(config.out, JSON.stringify({
  latencies: latencies.map((x) => Math.round(x * 100) / 100),
  editWorst: allEdits.filter((e) => e.arrivals >= config.perRoom - 1).map((e) => Math.round(e.worst * 100) / 100),
  editsSent: allEdits.length,
  deliveriesExpected: clients.reduce((n, c) => n + expected(c), 0),
  deliveriesReceived: clients.reduce((n, c) => n + c.received, 0),
  editsFullyDelivered: allEdits.filter((e) => e.arrivals >= config.perRoom - 1).length,
  framesIn,
  bytesIn,
  framesByKind,
  window: { start, sentAll, drained, firstSend, lastArrival },
  reconnects,
  closeCodes: closes,
  loopDelayMs: { p50: pct(50), p99: pct(99), max: loop.max / 1e6 - 1 },
  rooms: roomResults
}))
log('DONE')
stdin.close()
setTimeout(() => process.exit(0), 200)
