-- Trino dialect of sql/sqlite/verify_services.sql (same question, placeholders and result columns).
-- Question: which Verify services do the report's services and accounts have, and which use custom codes
-- (Fraud Guard does not protect a custom-code service in Basic)? custom_code_enabled may be a Trino
-- boolean; the client hands booleans over as 0/1.
-- Placeholders: :service_sids :account_sids
-- Returns: service_sid, account_sid, custom_code_enabled (0/1), api_version
SELECT service_sid, account_sid, custom_code_enabled, api_version
FROM verify_services
WHERE service_sid IN :service_sids OR account_sid IN :account_sids
ORDER BY service_sid
