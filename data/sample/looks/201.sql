-- Looker look 201 "Messaging SMS pumping: fraud report" (model psms, explore psms_messages, view
-- psms_fraud_report). Programmable Messaging, not Verify: routed to policy/messaging.toml by "psms_", so
-- creditbot ignores the request silently while that policy is disabled (the default) and answers it when
-- it is enabled. Scenario: the worked example of CREDIT_POLICY.md's "Messaging" section (Nimbus Social,
-- SMS Pumping Protection off until 2025-08-02, then on; NG and SO, 2025-08-01..03).
SELECT
    DATE(psms_messages.created_at) AS "psms_fraud_report.day",
    psms_messages.account_sid AS "psms_fraud_report.account_sid",
    psms_messages.messaging_service_sid AS "psms_fraud_report.messaging_service_sid",
    psms_messages.mcc AS "psms_fraud_report.mcc",
    psms_messages.mnc AS "psms_fraud_report.mnc",
    psms_messages.to_country AS "psms_fraud_report.to_country",
    COUNT(CASE WHEN psms_messages.error_code IS NULL THEN 1 END) AS "psms_fraud_report.messages_sent",
    COUNT(CASE WHEN psms_messages.error_code = 30450 THEN 1 END) AS "psms_fraud_report.messages_blocked",
    ROUND(SUM(psms_messages.price_usd), 5) AS "psms_fraud_report.fraud_charges_usd"
FROM messages AS psms_messages
WHERE (psms_messages.account_sid = 'AC3e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b')
  AND (psms_messages.to_country IN ('NG', 'SO'))
  AND (psms_messages.created_at >= '2025-08-01 00:00:00' AND psms_messages.created_at < '2025-08-04 00:00:00')
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5
LIMIT 5000
