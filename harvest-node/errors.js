'use strict'
// harvest's errors as JS classes. The native module rejects with a message that carries a
// tagged JSON payload (see src/error.rs); `toError` turns it into the matching class with
// a stable `code` and the fields a caller branches on.

const TAG = 'HARVEST_ERROR:'

class HarvestError extends Error {
  constructor(payload) {
    super(payload.message)
    for (const [key, value] of Object.entries(payload)) {
      if (key !== 'message') this[key] = value
    }
    this.name = new.target.name
  }
}

class RobotsDisallowed extends HarvestError {}
class ComplianceRefused extends HarvestError {}
class PrivateAddressRefused extends HarvestError {}
class FetchError extends HarvestError {}
class ProviderError extends HarvestError {}
class AuthError extends ProviderError {}
class RateLimited extends ProviderError {}
class QuotaExceeded extends ProviderError {}
class BudgetExceeded extends HarvestError {}
class UnknownFormat extends HarvestError {}
class ConfigError extends HarvestError {}
class FormatError extends HarvestError {}

const CLASS_BY_CODE = {
  ROBOTS_DISALLOWED: RobotsDisallowed,
  COMPLIANCE_REFUSED: ComplianceRefused,
  PRIVATE_ADDRESS: PrivateAddressRefused,
  HTTP_STATUS: FetchError,
  BODY_TOO_LARGE: FetchError,
  TOO_MANY_REDIRECTS: FetchError,
  TIMEOUT: FetchError,
  NOT_HTML: FetchError,
  FETCH_FAILED: FetchError,
  AUTH_FAILED: AuthError,
  RATE_LIMITED: RateLimited,
  QUOTA_EXCEEDED: QuotaExceeded,
  BAD_REQUEST: ProviderError,
  PROVIDER_UNAVAILABLE: ProviderError,
  PROVIDER_PROTOCOL: ProviderError,
  STREAM_INTERRUPTED: ProviderError,
  MISSING_KEY: ProviderError,
  BUDGET_EXCEEDED: BudgetExceeded,
  UNKNOWN_FORMAT: UnknownFormat,
  CONFIG: ConfigError,
  FORMAT_FAILED: FormatError,
}

/** The error object for a payload; codes added to the core later map to HarvestError. */
function fromPayload(payload) {
  const Class = CLASS_BY_CODE[payload.code] || HarvestError
  return new Class(payload)
}

/** `err` as a HarvestError when it carries a harvest payload, else unchanged. */
function toError(err) {
  if (err instanceof Error && typeof err.message === 'string' && err.message.startsWith(TAG)) {
    try {
      return fromPayload(JSON.parse(err.message.slice(TAG.length)))
    } catch {
      return err
    }
  }
  return err
}

module.exports = {
  HarvestError,
  RobotsDisallowed,
  ComplianceRefused,
  PrivateAddressRefused,
  FetchError,
  ProviderError,
  AuthError,
  RateLimited,
  QuotaExceeded,
  BudgetExceeded,
  UnknownFormat,
  ConfigError,
  FormatError,
  fromPayload,
  toError,
}
