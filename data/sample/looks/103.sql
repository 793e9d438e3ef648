-- Looker look 103 "Authy SMS pumping: fraud report" (model authy, explore authy_attempts, view
-- authy_fraud_report), as Looker's SQL Runner shows it for the SQLite sample warehouse.
-- Scenario: Quokka Rides (ACabf021eeadbbcd81f7ad1f5a8de66fad), Fraud Guard off, pumping to Bangladesh,
-- 2025-08-01..2025-08-07.
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
WHERE (authy_attempts.account_sid = 'ACabf021eeadbbcd81f7ad1f5a8de66fad')
  AND (authy_attempts.channel = 'sms')
  AND (authy_attempts.to_country = 'BD')
  AND (authy_attempts.created_at >= '2025-07-25 00:00:00' AND authy_attempts.created_at < '2025-08-12 00:00:00')
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5
LIMIT 5000
