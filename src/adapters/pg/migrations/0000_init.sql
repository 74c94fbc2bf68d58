CREATE TABLE "acme_challenges" (
	"token" text PRIMARY KEY NOT NULL,
	"key_authorization" text NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_contacts" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"email" text NOT NULL,
	"confirm_hash" text,
	"confirm_attempts" bigint DEFAULT 0 NOT NULL,
	"confirmed_at" bigint,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_cursor" (
	"id" bigint PRIMARY KEY NOT NULL,
	"event_id" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"webhook_id" text,
	"contact_id" text,
	"event_id" bigint NOT NULL,
	"status" text NOT NULL,
	"attempts" bigint NOT NULL,
	"next_attempt_at" bigint,
	"last_status" bigint,
	"last_reason" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "alert_deliveries_one_target" CHECK ((webhook_id IS NULL) <> (contact_id IS NULL))
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text,
	"sha256" text NOT NULL,
	"label" text NOT NULL,
	"from_env" boolean DEFAULT false NOT NULL,
	"created_at" bigint NOT NULL,
	"last_used_at" bigint,
	"revoked_at" bigint,
	CONSTRAINT "api_tokens_sha256_unique" UNIQUE("sha256")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"tenant_id" text,
	"actor_token_id" text,
	"action" text NOT NULL,
	"subject" text NOT NULL,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "bimi_assertions" (
	"domain_id" text NOT NULL,
	"selector" text NOT NULL,
	"logo_sha256" text NOT NULL,
	"vmc_pem" text,
	"vmc_not_after" bigint,
	"vmc_matches_logo" boolean,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "bimi_assertions_domain_id_selector_pk" PRIMARY KEY("domain_id","selector")
);
--> statement-breakpoint
CREATE TABLE "certificates" (
	"hostname" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"issuer_name" text,
	"serial" text,
	"issuer" text,
	"not_before" bigint,
	"not_after" bigint,
	"renew_at" bigint,
	"due_at" bigint NOT NULL,
	"failures" bigint DEFAULT 0 NOT NULL,
	"last_error" text,
	"last_attempt_at" bigint,
	"dns_status" text,
	"dns_detail" text,
	"lease_owner" text,
	"lease_until" bigint,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "check_runs" (
	"domain_id" text NOT NULL,
	"kind" text NOT NULL,
	"ran_at" bigint NOT NULL,
	"skipped" text,
	CONSTRAINT "check_runs_domain_id_kind_pk" PRIMARY KEY("domain_id","kind")
);
--> statement-breakpoint
CREATE TABLE "dns_entries" (
	"domain_id" text PRIMARY KEY NOT NULL,
	"label" text NOT NULL,
	"entry" jsonb,
	"sts_id" text,
	"version" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dns_pending" (
	"domain_id" text PRIMARY KEY NOT NULL,
	"since" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dns_zone" (
	"id" bigint PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL,
	"changed_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "domain_findings" (
	"domain_id" text NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"severity" text NOT NULL,
	"message" text NOT NULL,
	"opened_at" bigint NOT NULL,
	CONSTRAINT "domain_findings_domain_id_key_pk" PRIMARY KEY("domain_id","key")
);
--> statement-breakpoint
CREATE TABLE "domain_logos" (
	"domain_id" text NOT NULL,
	"sha256" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "domain_logos_domain_id_sha256_pk" PRIMARY KEY("domain_id","sha256")
);
--> statement-breakpoint
CREATE TABLE "domains" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" bigint NOT NULL,
	"retired_at" bigint,
	"remove_at" bigint,
	"max_age_high" bigint,
	"retired_policy_id" text,
	"verification_token" text,
	"verified_at" bigint,
	"claim_expires_at" bigint,
	"last_check_at" bigint,
	"last_check_error" text,
	"dns_mode" text DEFAULT 'self' NOT NULL,
	"dns_label" text
);
--> statement-breakpoint
CREATE TABLE "finding_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"domain_id" text NOT NULL,
	"domain" text NOT NULL,
	"change" text NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"severity" text NOT NULL,
	"message" text NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hostnames" (
	"name" text PRIMARY KEY NOT NULL,
	"domain_id" text NOT NULL,
	"role" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instances" (
	"id" text PRIMARY KEY NOT NULL,
	"started_at" bigint NOT NULL,
	"seen_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "logos" (
	"sha256" text PRIMARY KEY NOT NULL,
	"svg" "bytea" NOT NULL,
	"size" bigint NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mta_sts_policies" (
	"domain_id" text PRIMARY KEY NOT NULL,
	"mode" text NOT NULL,
	"max_age" bigint NOT NULL,
	"mx" jsonb NOT NULL,
	"policy_id" text NOT NULL,
	"text" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policy_acks" (
	"instance_id" text NOT NULL,
	"domain_id" text NOT NULL,
	"policy_id" text NOT NULL,
	"acked_at" bigint NOT NULL,
	CONSTRAINT "policy_acks_instance_id_domain_id_pk" PRIMARY KEY("instance_id","domain_id")
);
--> statement-breakpoint
CREATE TABLE "policy_versions" (
	"domain_id" text NOT NULL,
	"policy_id" text NOT NULL,
	"text" text NOT NULL,
	"first_served_at" bigint NOT NULL,
	CONSTRAINT "policy_versions_domain_id_policy_id_pk" PRIMARY KEY("domain_id","policy_id")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" bigint NOT NULL,
	"quotas" jsonb
);
--> statement-breakpoint
CREATE TABLE "tls_reports" (
	"id" text PRIMARY KEY NOT NULL,
	"domain_id" text NOT NULL,
	"organization" text NOT NULL,
	"report_id" text NOT NULL,
	"contact" text,
	"start_at" bigint NOT NULL,
	"end_at" bigint NOT NULL,
	"day" text NOT NULL,
	"successful" bigint NOT NULL,
	"failed" bigint NOT NULL,
	"parsed" jsonb NOT NULL,
	"warnings" jsonb NOT NULL,
	"raw" "bytea" NOT NULL,
	"source" text NOT NULL,
	"received_at" bigint NOT NULL,
	"stored_bytes" bigint DEFAULT 0 NOT NULL,
	"tally" jsonb
);
--> statement-breakpoint
CREATE TABLE "tlsrpt" (
	"domain_id" text PRIMARY KEY NOT NULL,
	"rua" jsonb NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tlsrpt_tokens" (
	"token" text PRIMARY KEY NOT NULL,
	"domain_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint
);
--> statement-breakpoint
CREATE TABLE "web_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"token_id" text NOT NULL,
	"csrf" text NOT NULL,
	"created_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhooks" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"url" text NOT NULL,
	"secret" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_contacts" ADD CONSTRAINT "alert_contacts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_webhook_id_webhooks_id_fk" FOREIGN KEY ("webhook_id") REFERENCES "public"."webhooks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_contact_id_alert_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."alert_contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bimi_assertions" ADD CONSTRAINT "bimi_assertions_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bimi_assertions" ADD CONSTRAINT "bimi_assertions_logo_sha256_logos_sha256_fk" FOREIGN KEY ("logo_sha256") REFERENCES "public"."logos"("sha256") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_runs" ADD CONSTRAINT "check_runs_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "domain_findings" ADD CONSTRAINT "domain_findings_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "domain_logos" ADD CONSTRAINT "domain_logos_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "domain_logos" ADD CONSTRAINT "domain_logos_sha256_logos_sha256_fk" FOREIGN KEY ("sha256") REFERENCES "public"."logos"("sha256") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "domains" ADD CONSTRAINT "domains_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hostnames" ADD CONSTRAINT "hostnames_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mta_sts_policies" ADD CONSTRAINT "mta_sts_policies_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_acks" ADD CONSTRAINT "policy_acks_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tls_reports" ADD CONSTRAINT "tls_reports_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tlsrpt" ADD CONSTRAINT "tlsrpt_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tlsrpt_tokens" ADD CONSTRAINT "tlsrpt_tokens_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "web_sessions" ADD CONSTRAINT "web_sessions_token_id_api_tokens_id_fk" FOREIGN KEY ("token_id") REFERENCES "public"."api_tokens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "acme_challenges_expires_at" ON "acme_challenges" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "alert_contacts_tenant_email" ON "alert_contacts" USING btree ("tenant_id","email");--> statement-breakpoint
CREATE INDEX "alert_deliveries_due" ON "alert_deliveries" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "alert_deliveries_webhook" ON "alert_deliveries" USING btree ("webhook_id","created_at");--> statement-breakpoint
CREATE INDEX "alert_deliveries_contact" ON "alert_deliveries" USING btree ("contact_id","created_at");--> statement-breakpoint
CREATE INDEX "api_tokens_tenant" ON "api_tokens" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "audit_log_tenant_at" ON "audit_log" USING btree ("tenant_id","at");--> statement-breakpoint
CREATE INDEX "certificates_due_at_hostname" ON "certificates" USING btree ("due_at","hostname");--> statement-breakpoint
CREATE INDEX "dns_entries_version" ON "dns_entries" USING btree ("version");--> statement-breakpoint
CREATE INDEX "domains_tenant" ON "domains" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "domains_remove_at" ON "domains" USING btree ("remove_at");--> statement-breakpoint
CREATE UNIQUE INDEX "domains_name_live" ON "domains" USING btree ("name") WHERE "domains"."status" <> 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "domains_tenant_name" ON "domains" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE INDEX "domains_name" ON "domains" USING btree ("name");--> statement-breakpoint
CREATE INDEX "domains_claim_expires_at" ON "domains" USING btree ("claim_expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "domains_dns_label" ON "domains" USING btree ("dns_label");--> statement-breakpoint
CREATE INDEX "finding_events_domain" ON "finding_events" USING btree ("domain_id","id");--> statement-breakpoint
CREATE INDEX "hostnames_domain" ON "hostnames" USING btree ("domain_id");--> statement-breakpoint
CREATE INDEX "policy_acks_domain" ON "policy_acks" USING btree ("domain_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tenants_name_ci" ON "tenants" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "tls_reports_submitter" ON "tls_reports" USING btree ("domain_id","organization","report_id");--> statement-breakpoint
CREATE INDEX "tls_reports_domain_day" ON "tls_reports" USING btree ("domain_id","day");--> statement-breakpoint
CREATE INDEX "tls_reports_domain_received" ON "tls_reports" USING btree ("domain_id","received_at");--> statement-breakpoint
CREATE INDEX "tlsrpt_tokens_domain" ON "tlsrpt_tokens" USING btree ("domain_id");--> statement-breakpoint
CREATE INDEX "web_sessions_token" ON "web_sessions" USING btree ("token_id");--> statement-breakpoint
CREATE INDEX "web_sessions_expires" ON "web_sessions" USING btree ("expires_at");