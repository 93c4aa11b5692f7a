-- The decisioning core: when a recommendation was decided, and the stored answers of respond
-- calls so that a repeated idempotency key records once and answers the same.

-- The decision's clock: the request's context time when it carried one (a simulation), else the
-- time it was served. Contact policies and the outcomes that follow are timed by it.
ALTER TABLE decision_runs ADD COLUMN decided_at timestamptz;

CREATE TABLE respond_requests (
    tenant_id          text NOT NULL,
    idempotency_key    text NOT NULL,
    recommendation_id  text NOT NULL,
    request            jsonb NOT NULL,
    response           jsonb,
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, idempotency_key),
    -- Removing the pack deletes its decision runs, and with them these answers.
    FOREIGN KEY (tenant_id, recommendation_id) REFERENCES decision_runs (tenant_id, id)
        ON DELETE CASCADE
);
CREATE INDEX respond_requests_recommendation ON respond_requests (tenant_id, recommendation_id);
