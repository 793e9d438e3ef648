-- Trino dialect of sql/sqlite/sms_pumping_protection_history.sql (same question, placeholders and result
-- columns).
-- Question: was SMS Pumping Protection off or on for each account, over the report's days?
-- (Programmable Messaging, policy/messaging.toml: one switch per account.) Every interval
-- [effective_from, effective_to) that overlaps [window_start, window_end) is returned.
-- In Trino effective_from/effective_to are timestamp(p) in UTC; the 'YYYY-MM-DD' placeholders become DATE
-- literals cast to timestamps (Trino does not compare a timestamp with a varchar).
-- Placeholders: :account_sids :window_start :window_end
-- Returns: service_sid (= the account: the switch is the account's), account_sid, protection_mode
-- ('off'/'on'), effective_from, effective_to (NULL = in force)
SELECT account_sid AS service_sid, account_sid, protection_mode, effective_from, effective_to
FROM sms_pumping_protection_history
WHERE account_sid IN :account_sids
  AND effective_from < CAST(DATE :window_end AS TIMESTAMP(3))
  AND (effective_to IS NULL OR effective_to > CAST(DATE :window_start AS TIMESTAMP(3)))
ORDER BY account_sid, effective_from
