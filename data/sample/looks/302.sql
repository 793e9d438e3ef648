-- Looker look 302 "Authy SMS pumping: totals" (model authy, explore authy_attempts, view
-- authy_fraud_report). It lacks the attempts_sent column (it counts every attempt as attempts_total
-- instead), so creditbot must refuse it with an error naming the missing role and the columns it saw.
-- Scenario: test case 1's traffic (ACs1, ACs2, 2025-07-01..03).
SELECT
    DATE(authy_attempts.created_at) AS "authy_fraud_report.day",
    authy_attempts.account_sid AS "authy_fraud_report.account_sid",
    authy_attempts.service_sid AS "authy_fraud_report.service_sid",
    authy_attempts.mcc AS "authy_fraud_report.mcc",
    authy_attempts.to_country AS "authy_fraud_report.to_country",
    COUNT(*) AS "authy_fraud_report.attempts_total",
    COUNT(CASE WHEN authy_attempts.block_reason = 'fraud_guard' THEN 1 END) AS "authy_fraud_report.attempts_blocked",
    ROUND(SUM(authy_attempts.price_usd), 5) AS "authy_fraud_report.fraud_charges_usd"
FROM verification_attempts AS authy_attempts
WHERE (authy_attempts.account_sid IN ('ACs1', 'ACs2'))
  AND (authy_attempts.channel = 'sms')
  AND (authy_attempts.to_country IN ('AZ', 'TJ'))
  AND (authy_attempts.created_at >= '2025-07-01 00:00:00' AND authy_attempts.created_at < '2025-07-04 00:00:00')
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4
LIMIT 5000
