-- Trino dialect of sql/sqlite/geo_permissions.sql (same question, placeholders and result columns).
-- Question: which SMS Geo Permissions did the report's accounts have over the report's days? ('allow'
-- bypasses Fraud Guard for that country.) effective_from/effective_to are timestamp(p) in UTC.
-- Placeholders: :account_sids :window_start :window_end
-- Returns: account_sid, iso_country, permission, effective_from, effective_to (NULL = in force)
SELECT account_sid, iso_country, permission, effective_from, effective_to
FROM geo_permissions_history
WHERE account_sid IN :account_sids
  AND channel = 'sms'
  AND effective_from < CAST(DATE :window_end AS TIMESTAMP(3))
  AND (effective_to IS NULL OR effective_to > CAST(DATE :window_start AS TIMESTAMP(3)))
ORDER BY account_sid, iso_country, effective_from
