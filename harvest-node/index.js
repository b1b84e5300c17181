'use strict'
// Public entry point: the native Harvester with its errors turned into HarvestError
// classes. The types in index.d.ts are generated from the Rust source (src/*.rs) plus
// dts-header.d.ts.

const native = require('./native.js')
const errors = require('./errors.js')

const { toError, fromPayload } = errors

class Harvester extends native.Harvester {
  constructor(options) {
    try {
      super(options)
    } catch (err) {
      throw toError(err)
    }
  }

  async harvest(url, options) {
    try {
      return await super.harvest(url, options)
    } catch (err) {
      throw toError(err)
    }
  }

  async harvestFile(path, options) {
    try {
      return await super.harvestFile(path, options)
    } catch (err) {
      throw toError(err)
    }
  }

  async harvestMany(urls, options) {
    let entries
    try {
      entries = await super.harvestMany(urls, options)
    } catch (err) {
      throw toError(err)
    }
    return entries.map((entry) =>
      entry.error == null ? entry.result : { url: entry.url, error: fromPayload(JSON.parse(entry.error)) },
    )
  }

  export(results, format) {
    try {
      return super.export(results, format)
    } catch (err) {
      throw toError(err)
    }
  }
}

module.exports = {
  Harvester,
  version: native.version,
  __napiBindingTarget: native.__napiBindingTarget,
  HarvestError: errors.HarvestError,
  RobotsDisallowed: errors.RobotsDisallowed,
  ComplianceRefused: errors.ComplianceRefused,
  PrivateAddressRefused: errors.PrivateAddressRefused,
  FetchError: errors.FetchError,
  ProviderError: errors.ProviderError,
  AuthError: errors.AuthError,
  RateLimited: errors.RateLimited,
  QuotaExceeded: errors.QuotaExceeded,
  BudgetExceeded: errors.BudgetExceeded,
  UnknownFormat: errors.UnknownFormat,
  ConfigError: errors.ConfigError,
  FormatError: errors.FormatError,
}
