'use strict'
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')

const harvest = require('harvest')
const { Harvester, HarvestError, RobotsDisallowed, PrivateAddressRefused, UnknownFormat, BudgetExceeded, FormatError, ConfigError } = harvest
const { startSite, startOpenAi, evalPage } = require('./servers.js')

const TITLE = 'Leader spotlight: Erin Spiceland'
// Loopback tests: allow 127.0.0.1 and drop the one-request-per-second politeness delay.
const LOCAL = { allowPrivateNetwork: true, perHostIntervalSeconds: 0 }
let site

before(async () => {
  site = await startSite()
})
after(async () => {
  await site.close()
})

test('harvests the eval page into markdown with exact attribution', async () => {
  const h = new Harvester(LOCAL)
  const r = await h.harvest(`${site.base}/post`, { format: 'markdown' })
  assert.equal(r.format, 'markdown')
  assert.equal(r.provider, 'none')
  assert.equal(r.cacheHit, false)
  assert.equal(r.costUsd, 0)
  assert.deepEqual(r.usage, { inputTokens: 0, outputTokens: 0, cachedTokens: 0, cacheWriteTokens: 0 })
  assert.equal(r.attribution.url, `${site.base}/post`)
  assert.equal(r.attribution.finalUrl, `${site.base}/post`)
  assert.equal(r.attribution.title, TITLE)
  assert.equal(r.attribution.siteName, 'The GitHub Blog')
  assert.match(r.attribution.retrievedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  assert.equal(r.compliance.decision, 'allowed')
  assert.ok(r.output.includes('Erin Spiceland'), r.output.slice(0, 300))
  assert.deepEqual(Object.keys(r.timings), ['fetchMs', 'extractMs', 'formatMs', 'providerMs', 'totalMs'])
  assert.deepEqual(r.attempts, [])
  assert.equal(r.unchanged, false)
  assert.deepEqual(r.redactions, [])
})

test('json format output parses and carries the title', async () => {
  const h = new Harvester(LOCAL)
  const r = await h.harvest(`${site.base}/post`, { format: 'json' })
  assert.equal(r.format, 'json')
  const doc = JSON.parse(r.output)
  assert.equal(doc.title, TITLE)
})

test('robots.txt disallow is a RobotsDisallowed error naming the rule', async () => {
  const h = new Harvester(LOCAL)
  const err = await h.harvest(`${site.base}/private/post`).catch((e) => e)
  assert.ok(err instanceof RobotsDisallowed)
  assert.ok(err instanceof HarvestError)
  assert.ok(err instanceof Error)
  assert.equal(err.name, 'RobotsDisallowed')
  assert.equal(err.code, 'ROBOTS_DISALLOWED')
  assert.equal(err.rule, 'Disallow: /private/')
  assert.equal(err.url, `${site.base}/private/post`)
  assert.equal(err.userAgent, 'harvest')
  assert.equal(err.refusal, true)
  assert.equal(err.retryable, false)
  assert.equal(
    err.message,
    `robots.txt of ${site.base} disallows ${site.base}/private/post for user-agent \`harvest\` (rule: Disallow: /private/)`,
  )
})

test('loopback address is refused without allowPrivateNetwork', async () => {
  const hitsBefore = site.hits.length
  const h = new Harvester()
  const err = await h.harvest(`${site.base}/post`).catch((e) => e)
  assert.ok(err instanceof PrivateAddressRefused)
  assert.equal(err.code, 'PRIVATE_ADDRESS')
  assert.equal(err.host, '127.0.0.1')
  assert.equal(err.refusal, true)
  assert.equal(site.hits.length, hitsBefore, 'no request may reach the server')
})

test('unknown format is an UnknownFormat error', async () => {
  const h = new Harvester(LOCAL)
  const err = await h.harvest(`${site.base}/post`, { format: 'pdf' }).catch((e) => e)
  assert.ok(err instanceof UnknownFormat)
  assert.equal(err.code, 'UNKNOWN_FORMAT')
  assert.equal(err.format, 'pdf')
  assert.equal(err.message, 'unknown format `pdf` (no formatter registered under that name)')
})

test('invalid options are ConfigError thrown by the constructor', () => {
  assert.throws(() => new Harvester({ concurrency: 0 }), (err) => {
    assert.ok(err instanceof ConfigError)
    assert.equal(err.code, 'CONFIG')
    assert.equal(err.message, 'invalid configuration: concurrency must be at least 1')
    return true
  })
  assert.throws(() => new Harvester({ providers: ['nope'] }), { code: 'CONFIG' })
  assert.throws(() => new Harvester({ cacheTtlSeconds: -1 }), {
    code: 'CONFIG',
    message: 'invalid configuration: cacheTtlSeconds must be a non-negative number of seconds, got -1',
  })
})

test('custom JS formatter renders the output', async () => {
  const h = new Harvester({
    ...LOCAL,
    formatters: { shout: (doc) => doc.metadata.title.toUpperCase() },
  })
  assert.ok(h.formats().includes('shout'))
  assert.ok(h.formats().includes('markdown'))
  const r = await h.harvest(`${site.base}/post`, { format: 'shout' })
  assert.equal(r.output, TITLE.toUpperCase())
  assert.equal(r.format, 'shout')
})

test('custom formatter sees the document, attribution and options', async () => {
  let seen
  const h = new Harvester({
    ...LOCAL,
    formatters: {
      peek: (doc) => {
        seen = doc
        return `${doc.attribution.siteName}|${doc.options.params.words}`
      },
    },
  })
  const r = await h.harvest(`${site.base}/post`, { format: 'peek', params: { words: '40' } })
  assert.equal(r.output, 'The GitHub Blog|40')
  assert.ok(seen.markdown.includes('Erin Spiceland'))
  assert.ok(seen.text.length > 0)
  assert.equal(seen.attribution.url, `${site.base}/post`)
  assert.equal(seen.options.attribution, true)
})

test('an error thrown by a JS formatter is a FORMAT_FAILED error', async () => {
  const h = new Harvester({
    ...LOCAL,
    formatters: {
      broken: () => {
        throw new Error('no title here')
      },
      wrongType: () => 42,
    },
  })
  const err = await h.harvest(`${site.base}/post`, { format: 'broken' }).catch((e) => e)
  assert.ok(err instanceof FormatError)
  assert.equal(err.code, 'FORMAT_FAILED')
  assert.equal(err.format, 'broken')
  assert.equal(err.message, 'formatter `broken` failed: no title here')
  const err2 = await h.harvest(`${site.base}/post`, { format: 'wrongType' }).catch((e) => e)
  assert.equal(err2.code, 'FORMAT_FAILED')
  assert.equal(err2.format, 'wrongType')
})

test('many concurrent harvests through a JS formatter all complete', async () => {
  const h = new Harvester({
    ...LOCAL,
    concurrency: 16,
    formatters: { title: (doc) => doc.metadata.title },
  })
  const urls = Array.from({ length: 40 }, (_, i) => `${site.base}/post?n=${i}`)
  const results = await Promise.all(urls.map((u) => h.harvest(u, { format: 'title', useCache: false })))
  assert.equal(results.length, 40)
  results.forEach((r, i) => {
    assert.equal(r.output, TITLE)
    assert.equal(r.attribution.url, urls[i])
  })
})

test('harvestMany runs JS formatters too', async () => {
  const h = new Harvester({ ...LOCAL, concurrency: 4, formatters: { title: (doc) => doc.metadata.title } })
  const urls = Array.from({ length: 8 }, (_, i) => `${site.base}/post?many=${i}`)
  const results = await h.harvestMany(urls, { format: 'title' })
  assert.deepEqual(results.map((r) => r.output), urls.map(() => TITLE))
  assert.deepEqual(results.map((r) => r.attribution.url), urls)
})

test('harvestMany keeps input order and reports failures in place', async () => {
  const h = new Harvester(LOCAL)
  const urls = [`${site.base}/post?a`, `${site.base}/private/x`, 'not a url', `${site.base}/post?b`]
  const results = await h.harvestMany(urls, { format: 'markdown' })
  assert.equal(results.length, 4)
  assert.equal(results[0].attribution.url, urls[0])
  assert.equal(results[1].url, urls[1])
  assert.ok(results[1].error instanceof RobotsDisallowed)
  assert.equal(results[1].error.rule, 'Disallow: /private/')
  assert.equal(results[2].error.code, 'INVALID_URL')
  assert.ok(results[2].error instanceof HarvestError)
  assert.equal(results[3].attribution.url, urls[3])
})

test('export joins harvests into one JSON array', async () => {
  const h = new Harvester(LOCAL)
  const results = await h.harvestMany([`${site.base}/post?1`, `${site.base}/post?2`], { format: 'json' })
  const joined = JSON.parse(h.export(results, 'json'))
  assert.equal(joined.length, 2)
  assert.equal(joined[0].title, TITLE)
  assert.throws(() => h.export(results, 'markdown'), { code: 'CONFIG' })
  assert.throws(() => h.export(results, 'pdf'), { code: 'UNKNOWN_FORMAT' })
})

test('harvestFile reads a local page', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvest-node-'))
  const file = path.join(dir, 'spiceland.html')
  fs.writeFileSync(file, evalPage())
  const h = new Harvester()
  const r = await h.harvestFile(file, { format: 'markdown' })
  assert.equal(r.attribution.title, TITLE)
  const err = await h.harvestFile(path.join(dir, 'missing.html')).catch((e) => e)
  assert.equal(err.code, 'IO')
  fs.rmSync(dir, { recursive: true })
})

test('keys never show up in the harvester or its errors', async () => {
  const h = new Harvester({ keys: { openai: 'sk-very-secret' }, providers: ['openai:gpt-4o-mini'] })
  assert.ok(!util.inspect(h, { showHidden: true, depth: 5 }).includes('sk-very-secret'))
  assert.ok(!JSON.stringify(h).includes('sk-very-secret'))
})

test('budget below the estimate is a BudgetExceeded error and no provider call', async () => {
  const api = await startOpenAi()
  try {
    const h = new Harvester({
      ...LOCAL,
      providers: [{ name: 'openai', model: 'gpt-4o-mini', baseUrl: `${api.base}/v1` }],
      keys: { openai: 'sk-test' },
    })
    const err = await h.harvest(`${site.base}/post`, { format: 'summary', budgetUsd: 0.000001 }).catch((e) => e)
    assert.ok(err instanceof BudgetExceeded, String(err))
    assert.equal(err.code, 'BUDGET_EXCEEDED')
    assert.equal(err.budgetUsd, 0.000001)
    assert.ok(err.estimateUsd > err.budgetUsd)
    assert.equal(api.requests.length, 0)

    const r = await h.harvest(`${site.base}/post`, { format: 'summary', attribution: false })
    assert.equal(r.provider, 'openai')
    assert.equal(r.model, 'gpt-4o-mini')
    assert.deepEqual(r.usage, { inputTokens: 1200, outputTokens: 14, cachedTokens: 1024, cacheWriteTokens: 0 })
    assert.equal(api.requests.length, 1)
    assert.equal(api.requests[0].headers.authorization, 'Bearer sk-test')
    assert.equal(r.attempts.length, 1)
    assert.equal(r.attempts[0].status, 'ok')
  } finally {
    await api.close()
  }
})
