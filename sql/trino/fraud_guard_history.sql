-- Trino dialect of sql/sqlite/fraud_guard_history.sql (same question, placeholders and result columns).
-- Question: which Fraud Guard protection mode was each service in, over the report's days?
-- Every interval [effective_from, effective_to) that overlaps [window_start, window_end) is returned.
-- In Trino effective_from/effective_to are timestamp(p) in UTC; the 'YYYY-MM-DD' placeholders become DATE
-- literals cast to timestamps (Trino does not compare a timestamp with a varchar).
-- Placeholders: :service_sids :window_start :window_end
-- Returns: service_sid, account_sid, protection_mode, effective_from, effective_to (NULL = in force)
SELECT service_sid, account_sid, protection_mode, effective_from, effective_to
FROM fraud_guard_settings_history
WHERE service_sid IN :service_sids
  AND effective_from < CAST(DATE :window_end AS TIMESTAMP(3))
  AND (effective_to IS NULL OR effective_to > CAST(DATE :window_start AS TIMESTAMP(3)))
ORDER BY service_sid, effective_from
