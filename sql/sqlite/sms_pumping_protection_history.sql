-- Question: was SMS Pumping Protection off or on for each account, over the report's days?
-- (Programmable Messaging, policy/messaging.toml: one switch per account.) Every interval
-- [effective_from, effective_to) that overlaps [window_start, window_end) is returned.
-- Placeholders: :account_sids :window_start :window_end
-- Returns: service_sid (= the account: the switch is the account's), account_sid, protection_mode
-- ('off'/'on'), effective_from, effective_to (NULL = in force)
SELECT account_sid AS service_sid, account_sid, protection_mode, effective_from, effective_to
FROM sms_pumping_protection_history
WHERE account_sid IN :account_sids
  AND effective_from < :window_end
  AND (effective_to IS NULL OR effective_to > :window_start)
ORDER BY account_sid, effective_from
