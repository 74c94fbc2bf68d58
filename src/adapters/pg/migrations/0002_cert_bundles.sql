CREATE TABLE "acme_accounts" (
	"directory_url" text PRIMARY KEY NOT NULL,
	"key_sealed" "bytea" NOT NULL,
	"account_url" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "certificate_bundles" (
	"hostname" text PRIMARY KEY NOT NULL,
	"serial" text NOT NULL,
	"not_before" bigint NOT NULL,
	"not_after" bigint NOT NULL,
	"issuer" text NOT NULL,
	"chain_pem" text NOT NULL,
	"key_sealed" "bytea" NOT NULL,
	"digest" text NOT NULL,
	"written_at" bigint NOT NULL
);
