-- Question: which Fraud Guard protection mode was each service in, over the report's days?
-- Every interval [effective_from, effective_to) that overlaps [window_start, window_end) is returned.
-- Placeholders: :service_sids :window_start :window_end
-- Returns: service_sid, account_sid, protection_mode, effective_from, effective_to (NULL = in force)
SELECT service_sid, account_sid, protection_mode, effective_from, effective_to
FROM fraud_guard_settings_history
WHERE service_sid IN :service_sids
  AND effective_from < :window_end
  AND (effective_to IS NULL OR effective_to > :window_start)
ORDER BY service_sid, effective_from
