'use strict'
// Loopback servers for the tests: a site with robots.txt and the real eval page, and a
// mock of OpenAI's chat completions endpoint built from the shared wire fixtures.

const http = require('node:http')
const fs = require('node:fs')
const path = require('node:path')
const zlib = require('node:zlib')

const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared')
const EVAL_PAGE = path.join(SHARED, 'data', 'extraction-eval', 'pages', 'github.blog.spiceland.html.gz')
const OPENAI_WIRE = path.join(SHARED, 'fixtures', 'wire', 'openai')

/** The real eval page (GitHub blog, "Leader spotlight: Erin Spiceland"), decompressed. */
function evalPage() {
  return zlib.gunzipSync(fs.readFileSync(EVAL_PAGE)).toString('utf8')
}

function listen(server) {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      resolve({
        server,
        base: `http://127.0.0.1:${port}`,
        close: () => {
          // harvest keeps its connections pooled; don't wait for them to idle out.
          server.closeAllConnections()
          return new Promise((r) => server.close(r))
        },
      })
    })
  })
}

/** A site: `/robots.txt` disallows `/private/`, `/post` and `/private/post` serve the eval page. */
async function startSite() {
  const page = evalPage()
  const hits = []
  const server = http.createServer((req, res) => {
    hits.push(req.url)
    if (req.url === '/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('User-agent: *\nDisallow: /private/\n')
    } else if (req.url.startsWith('/post') || req.url.startsWith('/private/')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(page)
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found')
    }
  })
  const site = await listen(server)
  site.hits = hits
  return site
}

/** OpenAI's `/v1/chat/completions`, answering with the recorded fixture; records requests. */
async function startOpenAi() {
  const response = fs.readFileSync(path.join(OPENAI_WIRE, 'chat_response.json'), 'utf8')
  const requests = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      requests.push({ url: req.url, headers: req.headers, body: body ? JSON.parse(body) : null })
      if (req.method === 'POST' && req.url === '/v1/chat/completions') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(response)
      } else {
        res.writeHead(404, { 'content-type': 'application/json' })
        res.end('{"error":{"message":"not found","type":"invalid_request_error"}}')
      }
    })
  })
  const api = await listen(server)
  api.requests = requests
  api.fixture = JSON.parse(response)
  return api
}

module.exports = { startSite, startOpenAi, evalPage }
