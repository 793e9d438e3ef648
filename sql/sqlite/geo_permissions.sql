-- Question: which SMS Geo Permissions did the report's accounts have over the report's days? ('allow'
-- bypasses Fraud Guard for that country.)
-- Placeholders: :account_sids :window_start :window_end
-- Returns: account_sid, iso_country, permission, effective_from, effective_to (NULL = in force)
SELECT account_sid, iso_country, permission, effective_from, effective_to
FROM geo_permissions_history
WHERE account_sid IN :account_sids
  AND channel = 'sms'
  AND effective_from < :window_end
  AND (effective_to IS NULL OR effective_to > :window_start)
ORDER BY account_sid, iso_country, effective_from
