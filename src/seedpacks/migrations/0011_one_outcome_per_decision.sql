-- One outcome per served decision (a recommendation's rank), whatever the idempotency keys:
-- fresh keys must not let one decision be answered again and again, moving the model arms each
-- time. Rows recorded before keep a NULL rank and are not held to it.
ALTER TABLE respond_requests ADD COLUMN rank integer;
CREATE UNIQUE INDEX respond_requests_one_per_decision
    ON respond_requests (tenant_id, recommendation_id, rank);
