/**
 * The request models of the Junction OpenAPI (`openapi-users.json`, `openapi-org-custom-credentials.json`),
 * transcribed with their property order so validation errors come out in the order pydantic reports them.
 */
import { boolean, date, defaulted, email, integer, object, oneOf, optional, required, str, uuid } from './validation.js';

/** `Providers`. */
export const PROVIDERS = [
  'oura', 'fitbit', 'garmin', 'whoop', 'strava', 'renpho', 'peloton', 'wahoo', 'zwift', 'freestyle_libre',
  'abbott_libreview', 'tandem_source', 'freestyle_libre_ble', 'eight_sleep', 'withings', 'apple_health_kit', 'manual',
  'ihealth', 'google_fit', 'beurer_api', 'beurer_ble', 'omron', 'omron_ble', 'onetouch_ble', 'accuchek_ble',
  'contour_ble', 'dexcom', 'dexcom_v3', 'hammerhead', 'my_fitness_pal', 'health_connect', 'samsung_health', 'polar',
  'cronometer', 'kardia', 'whoop_v2', 'ultrahuman', 'my_fitness_pal_v2', 'map_my_fitness', 'runkeeper', 'google_health',
] as const;

/** `Labs` (org management). */
export const LABS = [
  'ayumetrix', 'spiriplex', 'ussl', 'quest', 'sonora_quest', 'labcorp', 'bioreference', 'us_biotek', 'manual',
  'sanocardio', 'ihd', 'nexus', 'my_uti', 'crl', 'mtl',
] as const;

/** `OAuthProviders`: the providers whose custom credentials need preparation. */
export const OAUTH_PROVIDERS: readonly string[] = [
  'oura', 'fitbit', 'garmin', 'strava', 'wahoo', 'ihealth', 'withings', 'google_fit', 'dexcom_v3', 'polar',
  'cronometer', 'omron', 'whoop_v2', 'my_fitness_pal_v2', 'ultrahuman', 'runkeeper', 'google_health',
];

/** Providers the Link "demo connection" endpoint can connect without a real account. */
export const DEMO_PROVIDERS = ['apple_health_kit', 'freestyle_libre', 'fitbit', 'oura'] as const;

export const providerSchema = oneOf(PROVIDERS);
export const envSchema = oneOf(['production', 'sandbox']);
export const regionSchema = oneOf(['us', 'eu']);

/** `UserCreateBody`. */
export const UserCreateBody = object({
  client_user_id: required(str),
  fallback_time_zone: optional(str),
  fallback_birth_date: optional(date),
  ingestion_start: optional(date),
  ingestion_end: optional(date),
});

/** `UserPatchBody`. */
export const UserPatchBody = object({
  fallback_time_zone: optional(str),
  fallback_birth_date: optional(date),
  ingestion_start: optional(date),
  ingestion_end: optional(date),
  client_user_id: optional(str),
});

/** `Address` (insurance) and `UserAddress` (demographics) have the same fields. */
const Address = object({
  first_line: required(str),
  second_line: optional(str, ''),
  country: required(str),
  zip: required(str),
  city: required(str),
  state: required(str),
  access_notes: optional(str),
});

/** `GuarantorDetails`. */
const GuarantorDetails = object({
  first_name: required(str),
  last_name: required(str),
  address: required(Address),
  phone_number: required(str),
  household_income: optional(integer),
  household_size: optional(integer),
  email: optional(str),
});

/** `…lab_test__insurance__PersonDetails`. */
const PersonDetails = object({
  first_name: required(str),
  last_name: required(str),
  gender: required(oneOf(['female', 'male', 'other', 'unknown'])),
  address: required(Address),
  dob: required(date),
  email: required(str),
  phone_number: required(str),
});

/** `CreateInsuranceRequest`. */
export const CreateInsuranceRequest = object({
  payor_code: required(str),
  member_id: required(str),
  group_id: optional(str),
  relationship: required(oneOf(['Self', 'Spouse', 'Other'])),
  insured: required(PersonDetails),
  guarantor: optional(GuarantorDetails),
  is_primary: defaulted(boolean, true),
});

/** `UserInfoCreateRequest`. */
export const UserInfoCreateRequest = object({
  first_name: required(str),
  last_name: required(str),
  email: required(email),
  phone_number: required(str),
  gender: required(str),
  dob: required(date),
  address: required(Address),
  medical_proxy: optional(GuarantorDetails),
  race: optional(oneOf(['african_american_or_black', 'asian', 'indigenous_native_american_alaska_native', 'other', 'pacific_islander_or_hawaiian', 'white_caucasian'])),
  ethnicity: optional(oneOf(['hispanic', 'non_hispanic', 'ashkenazi_jewish', 'other'])),
  sexual_orientation: optional(oneOf(['lesbian_gay_or_homosexual', 'heterosexual_or_straight', 'bisexual', 'dont_know', 'other'])),
  gender_identity: optional(oneOf(['male', 'female', 'female_to_male_ftm_transgender_male_trans_man', 'male_to_female_mtf_transgender_female_trans_woman', 'genderqueer', 'other'])),
});

/** `CreateUserPortalURLBody`. */
export const CreateUserPortalURLBody = object({
  context: required(oneOf(['launch', 'communications'])),
  order_id: optional(uuid),
});

/** `DemoConnectionCreationPayload` (Link API). */
export const DemoConnectionCreationPayload = object({
  user_id: required(uuid),
  provider: required(oneOf(DEMO_PROVIDERS)),
});

/**
 * `PrepareTeamCustomCredentialsBody`. `provider` is `Providers | Labs` in the spec; one merged enum
 * keeps the error to a single entry instead of pydantic's one-per-union-member.
 */
export const PrepareTeamCustomCredentialsBody = object({
  team_id: required(uuid),
  provider: required(oneOf([...new Set<string>([...PROVIDERS, ...LABS])])),
});
