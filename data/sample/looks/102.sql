-- Looker look 102 "Authy SMS pumping: fraud report by parent" (model authy, explore authy_attempts, view
-- authy_fraud_report), as Looker's SQL Runner shows it for the SQLite sample warehouse.
-- Scenario: Bluefin Payments (parent ACa69f03e594eefbb87cde656abf334c1d) and its subaccounts, pumping to
-- Uzbekistan and Kyrgyzstan, 2025-08-25..2025-09-14.
WITH authy_parent_accounts AS (
    SELECT accounts.account_sid
    FROM accounts
    WHERE accounts.parent_account_sid = 'ACa69f03e594eefbb87cde656abf334c1d'
)
SELECT
    DATE(authy_attempts.created_at) AS "authy_fraud_report.day",
    authy_attempts.account_sid AS "authy_fraud_report.account_sid",
    authy_attempts.service_sid AS "authy_fraud_report.service_sid",
    authy_attempts.mcc AS "authy_fraud_report.mcc",
    authy_attempts.mnc AS "authy_fraud_report.mnc",
    authy_attempts.to_country AS "authy_fraud_report.to_country",
    COUNT(CASE WHEN authy_attempts.block_reason IS NULL THEN 1 END) AS "authy_fraud_report.attempts_sent",
    COUNT(CASE WHEN authy_attempts.block_reason = 'fraud_guard' THEN 1 END) AS "authy_fraud_report.attempts_blocked",
    ROUND(SUM(authy_attempts.price_usd), 5) AS "authy_fraud_report.fraud_charges_usd"
FROM verification_attempts AS authy_attempts
INNER JOIN authy_parent_accounts ON authy_parent_accounts.account_sid = authy_attempts.account_sid
WHERE (authy_attempts.channel = 'sms')
  AND (authy_attempts.to_country IN ('UZ', 'KG'))
  AND (authy_attempts.created_at >= '2025-08-20 00:00:00' AND authy_attempts.created_at < '2025-09-20 00:00:00')
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5
LIMIT 5000
