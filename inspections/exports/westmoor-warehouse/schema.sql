-- FICTIONAL: Westmoor Police's reporting warehouse (Westmoor Police does not exist).
-- The same cases as ../westmoor, held as a reporting database holds them: one table per kind of
-- record, snake_case columns, timestamps and dates as such, the force's own codes kept. Portable SQL:
-- PostgreSQL and SQLite both read it (the tests build it in each from ../westmoor's tables).

CREATE TABLE wm_case (
  case_ref VARCHAR(40) PRIMARY KEY,
  crime_type VARCHAR(40),
  date_reported TIMESTAMP,
  date_closed TIMESTAMP,
  subject_ref VARCHAR(40),
  age INTEGER,
  gender VARCHAR(40),
  lac VARCHAR(40),
  plan VARCHAR(40),
  s47_start DATE,
  icpc_date DATE,
  pp_used VARCHAR(40),
  pp_start TIMESTAMP,
  pp_end TIMESTAMP,
  la_informed TIMESTAMP,
  desig_officer_informed VARCHAR(40),
  oic_allocated TIMESTAMP,
  complexity VARCHAR(40),
  oic_pip INTEGER,
  caidp_trained VARCHAR(40),
  suspect_identified TIMESTAMP,
  suspect_arrested TIMESTAMP,
  suspect_offence VARCHAR(200),
  exploitation_indicators VARCHAR(200),
  nrm_referred TIMESTAMP,
  nrm_outcome VARCHAR(40),
  s45_considered VARCHAR(40),
  sch_4_offence VARCHAR(40),
  custody_arrival TIMESTAMP,
  charged TIMESTAMP,
  bail_refused VARCHAR(40),
  pace_transfer TIMESTAMP,
  s38_6_cert VARCHAR(40),
  aa_requested TIMESTAMP,
  aa_arrived TIMESTAMP,
  outcome_code INTEGER,
  outcome_date TIMESTAMP,
  rationale_recorded VARCHAR(40),
  victim_informed VARCHAR(40),
  team VARCHAR(40),
  review_status VARCHAR(40)
);

CREATE TABLE wm_incident (
  row_id INTEGER PRIMARY KEY,
  case_ref VARCHAR(40) NOT NULL REFERENCES wm_case (case_ref),
  occurrence_no VARCHAR(40),
  occurred TIMESTAMP,
  occ_type VARCHAR(40),
  risk VARCHAR(40),
  child_seen VARCHAR(40),
  demeanour_recorded VARCHAR(40),
  attendance VARCHAR(40),
  location_type VARCHAR(40)
);

CREATE TABLE wm_risk_assessment (
  row_id INTEGER PRIMARY KEY,
  case_ref VARCHAR(40) NOT NULL REFERENCES wm_case (case_ref),
  assessed TIMESTAMP,
  risk_level VARCHAR(40),
  history_reviewed VARCHAR(40),
  supervisor_review TIMESTAMP
);

CREATE TABLE wm_referral (
  row_id INTEGER PRIMARY KEY,
  case_ref VARCHAR(40) NOT NULL REFERENCES wm_case (case_ref),
  referral_date TIMESTAMP,
  referred_to VARCHAR(40)
);

CREATE TABLE wm_strategy_meeting (
  row_id INTEGER PRIMARY KEY,
  case_ref VARCHAR(40) NOT NULL REFERENCES wm_case (case_ref),
  meeting_date TIMESTAMP,
  agencies_present VARCHAR(200)
);

CREATE TABLE wm_supervision_entry (
  row_id INTEGER PRIMARY KEY,
  case_ref VARCHAR(40) NOT NULL REFERENCES wm_case (case_ref),
  entry_date TIMESTAMP,
  entry_type VARCHAR(40)
);

CREATE TABLE wm_device (
  row_id INTEGER PRIMARY KEY,
  case_ref VARCHAR(40) NOT NULL REFERENCES wm_case (case_ref),
  exhibit_ref VARCHAR(40),
  seized TIMESTAMP,
  submitted_to_dfu TIMESTAMP,
  examined TIMESTAMP,
  returned_to_suspect TIMESTAMP,
  triaged VARCHAR(40),
  iioc_suspected VARCHAR(40)
);
