import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

import { Harvester, HarvestError, RobotsDisallowed } from 'harvest'
import harvestDefault from 'harvest'

const require = createRequire(import.meta.url)
const { startSite } = require('./servers.js')

test('ESM import gives the same classes as require', async () => {
  const cjs = require('harvest')
  assert.equal(Harvester, cjs.Harvester)
  assert.equal(HarvestError, cjs.HarvestError)
  assert.equal(harvestDefault, cjs)
  const site = await startSite()
  try {
    const h = new Harvester({ allowPrivateNetwork: true, perHostIntervalSeconds: 0 })
    const r = await h.harvest(`${site.base}/post`, { format: 'markdown' })
    assert.equal(r.attribution.title, 'Leader spotlight: Erin Spiceland')
    const err = await h.harvest(`${site.base}/private/a`).catch((e) => e)
    assert.ok(err instanceof RobotsDisallowed)
    assert.equal(err.code, 'ROBOTS_DISALLOWED')
  } finally {
    await site.close()
  }
})
