-- Trino dialect of sql/sqlite/provider_costs.sql (same question, placeholders and result columns).
-- Question: what does one SMS to each of the report's MCCs cost us, per network where it differs?
-- Every cost interval overlapping the report's days; the engine picks the most specific match (mcc+mnc
-- before mcc alone, whose mnc is NULL) in force on each row's day. effective_from/effective_to may be DATE
-- or timestamp(p) columns in Trino; both compare with the DATE literals and reach the engine as
-- 'YYYY-MM-DD…' text.
-- Placeholders: :mccs :window_start :window_end
-- Returns: mcc, mnc (NULL = every network), cost_usd_per_sms, effective_from, effective_to (exclusive)
SELECT mcc, mnc, cost_usd_per_sms, effective_from, effective_to
FROM provider_costs
WHERE mcc IN :mccs
  AND effective_from < DATE :window_end
  AND (effective_to IS NULL OR effective_to > DATE :window_start)
ORDER BY mcc, mnc, effective_from
