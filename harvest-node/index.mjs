// ESM entry point: the same objects as the CommonJS one.
import harvest from './index.js'

export const {
  Harvester,
  version,
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
} = harvest
export default harvest
