-- The platform model that packs populate. Every table is keyed by tenant_id first, so every
-- primary, unique and foreign key includes it (distributable by tenant on Citus).

CREATE TABLE platform_settings (
    tenant_id   text NOT NULL,
    namespace   text NOT NULL,
    key         text NOT NULL,
    value       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, namespace, key)
);

CREATE TABLE loaded_datasets (
    tenant_id    text PRIMARY KEY,
    dataset_key  text NOT NULL,
    seed         bigint NOT NULL,
    scale        integer NOT NULL,
    pg_schema    text NOT NULL,
    counts       jsonb NOT NULL,
    manifest     jsonb NOT NULL DEFAULT '{}',
    loaded_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE seed_rate_events (
    tenant_id  text NOT NULL,
    id         bigint GENERATED ALWAYS AS IDENTITY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX seed_rate_events_at ON seed_rate_events (tenant_id, at);

CREATE TABLE data_schemas (
    tenant_id    text NOT NULL,
    id           text NOT NULL,
    dataset_key  text NOT NULL,
    name         text NOT NULL,
    description  text NOT NULL DEFAULT '',
    pg_schema    text NOT NULL,
    table_name   text NOT NULL,
    fields       jsonb NOT NULL,
    primary_key  text[] NOT NULL,
    csv_mapping  jsonb,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE categories (
    tenant_id     text NOT NULL,
    id            text NOT NULL,
    dataset_key   text NOT NULL,
    name          text NOT NULL,
    description   text NOT NULL DEFAULT '',
    custom_fields jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE sub_categories (
    tenant_id    text NOT NULL,
    id           text NOT NULL,
    dataset_key  text NOT NULL,
    category_id  text NOT NULL,
    name         text NOT NULL,
    description  text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES categories (tenant_id, id)
);

CREATE TABLE channels (
    tenant_id      text NOT NULL,
    id             text NOT NULL,
    dataset_key    text NOT NULL,
    name           text NOT NULL,
    channel_type   text NOT NULL CHECK (channel_type IN ('email', 'push', 'sms', 'in_app', 'web',
                       'social', 'phone', 'direct_mail', 'branch', 'call_center', 'atm', 'kiosk')),
    delivery_mode  text NOT NULL CHECK (delivery_mode IN ('api', 'file', 'manual')),
    placements     jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE offers (
    tenant_id        text NOT NULL,
    id               text NOT NULL,
    dataset_key      text NOT NULL,
    category_id      text NOT NULL,
    sub_category_id  text,
    name             text NOT NULL,
    description      text NOT NULL DEFAULT '',
    status           text NOT NULL CHECK (status IN ('active', 'draft', 'paused', 'archived')),
    priority         integer NOT NULL CHECK (priority BETWEEN 0 AND 100),
    business_value   numeric(14, 2) NOT NULL DEFAULT 0,
    budget           numeric(14, 2),
    start_date       date,
    end_date         date,
    attributes       jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES categories (tenant_id, id),
    FOREIGN KEY (tenant_id, sub_category_id) REFERENCES sub_categories (tenant_id, id)
);

CREATE TABLE creatives (
    tenant_id      text NOT NULL,
    id             text NOT NULL,
    dataset_key    text NOT NULL,
    offer_id       text NOT NULL,
    channel_id     text NOT NULL,
    name           text NOT NULL,
    template_type  text NOT NULL,
    subject        text,
    headline       text,
    body           text,
    cta            text,
    weight         integer NOT NULL CHECK (weight BETWEEN 0 AND 100),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, offer_id) REFERENCES offers (tenant_id, id),
    FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id)
);

CREATE TABLE qualification_rules (
    tenant_id    text NOT NULL,
    id           text NOT NULL,
    dataset_key  text NOT NULL,
    name         text NOT NULL,
    stage        text NOT NULL CHECK (stage IN ('eligibility', 'fit', 'match')),
    rule_type    text NOT NULL CHECK (rule_type IN ('segment_required', 'attribute_condition',
                     'propensity_threshold', 'recency_check', 'metric_condition')),
    scope        text NOT NULL CHECK (scope IN ('global', 'category', 'offer', 'channel')),
    scope_ref    text,
    config       jsonb NOT NULL,
    priority     integer NOT NULL DEFAULT 0,
    active       boolean NOT NULL DEFAULT true,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE contact_policies (
    tenant_id    text NOT NULL,
    id           text NOT NULL,
    dataset_key  text NOT NULL,
    name         text NOT NULL,
    policy_type  text NOT NULL CHECK (policy_type IN ('frequency_cap', 'cooldown', 'outcome_based',
                     'mutual_exclusion', 'segment_exclusion', 'budget_cap')),
    scope        text NOT NULL CHECK (scope IN ('global', 'category', 'offer', 'channel')),
    scope_ref    text,
    config       jsonb NOT NULL,
    active       boolean NOT NULL DEFAULT true,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE outcome_types (
    tenant_id       text NOT NULL,
    id              text NOT NULL,
    dataset_key     text NOT NULL,
    key             text NOT NULL,
    name            text NOT NULL,
    classification  text NOT NULL CHECK (classification IN ('positive', 'negative', 'neutral')),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, key)
);

CREATE TABLE algorithm_models (
    tenant_id    text NOT NULL,
    id           text NOT NULL,
    dataset_key  text NOT NULL,
    key          text NOT NULL,
    name         text NOT NULL,
    model_type   text NOT NULL CHECK (model_type IN ('scorecard', 'bayesian', 'logistic_regression',
                     'gradient_boosted', 'thompson_bandit', 'epsilon_greedy', 'priority_weighted')),
    config       jsonb NOT NULL DEFAULT '{}',
    state        jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, key)
);

CREATE TABLE experiments (
    tenant_id          text NOT NULL,
    id                 text NOT NULL,
    dataset_key        text NOT NULL,
    key                text NOT NULL,
    name               text NOT NULL,
    champion_model_id  text NOT NULL,
    challengers        jsonb NOT NULL DEFAULT '[]',
    traffic_split      jsonb NOT NULL,
    status             text NOT NULL DEFAULT 'running',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, champion_model_id) REFERENCES algorithm_models (tenant_id, id)
);

CREATE TABLE decision_flows (
    tenant_id      text NOT NULL,
    id             text NOT NULL,
    dataset_key    text NOT NULL,
    key            text NOT NULL,
    name           text NOT NULL,
    experiment_id  text,
    nodes          jsonb NOT NULL,
    status         text NOT NULL DEFAULT 'active',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, key),
    FOREIGN KEY (tenant_id, experiment_id) REFERENCES experiments (tenant_id, id)
);

CREATE TABLE segments (
    tenant_id       text NOT NULL,
    id              text NOT NULL,
    dataset_key     text NOT NULL,
    name            text NOT NULL,
    description     text NOT NULL DEFAULT '',
    schema_id       text NOT NULL,
    filters         jsonb NOT NULL,
    view_name       text NOT NULL,
    customer_count  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name),
    FOREIGN KEY (tenant_id, schema_id) REFERENCES data_schemas (tenant_id, id)
);

CREATE SEQUENCE interactions_id_seq;
CREATE TABLE interactions (
    tenant_id          text NOT NULL,
    id                 bigint NOT NULL DEFAULT nextval('interactions_id_seq'),
    dataset_key        text NOT NULL,
    customer_id        text NOT NULL,
    offer_id           text NOT NULL,
    creative_id        text,
    channel_id         text NOT NULL,
    outcome            text NOT NULL,
    occurred_at        timestamptz NOT NULL,
    recommendation_id  text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, offer_id) REFERENCES offers (tenant_id, id),
    FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id)
);
ALTER SEQUENCE interactions_id_seq OWNED BY interactions.id;
CREATE INDEX interactions_customer ON interactions (tenant_id, customer_id, occurred_at);

CREATE TABLE interaction_summaries (
    tenant_id        text NOT NULL,
    dataset_key      text NOT NULL,
    customer_id      text NOT NULL,
    offer_id         text NOT NULL,
    channel_id       text NOT NULL,
    impressions      integer NOT NULL DEFAULT 0,
    positives        integer NOT NULL DEFAULT 0,
    negatives        integer NOT NULL DEFAULT 0,
    last_contact_at  timestamptz,
    PRIMARY KEY (tenant_id, customer_id, offer_id, channel_id),
    FOREIGN KEY (tenant_id, offer_id) REFERENCES offers (tenant_id, id),
    FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id)
);

-- Decision runs ("runs" in the removal counts): one row per recommendation served.
CREATE TABLE decision_runs (
    tenant_id     text NOT NULL,
    id            text NOT NULL,
    dataset_key   text NOT NULL,
    customer_id   text NOT NULL,
    channel_id    text NOT NULL,
    flow_id       text,
    decisions     jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
