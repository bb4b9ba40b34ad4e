//! Vendor tokens recognized by their own shape, with no key name beside them: a fixed prefix
//! (`ghp_`, `glpat-`, `hvs.`, `pypi-Ag`, `SG.`, `shpat_`, `xoxb-`, `AKIA`, `ya29.`, …), a
//! fixed marker (`T3BlbkFJ` in OpenAI keys, `JQQJ9` in Azure keys, `Q~` in Azure AD client
//! secrets) or a structure (three `eyJ` segments of a JWT). The formats come from what the
//! major secret scanners and the vendors document; the patterns are written here.
//!
//! Lengths are lower bounds and the character runs are greedy, so a token longer than usual
//! (or one glued to more of its own alphabet) is still hidden whole — never cut at a `.`, `-`
//! or `=` with its tail left behind.

use super::Span;
use crate::rules::CandidateIndex;
use regex::Regex;
use std::sync::LazyLock;

/// (kind, pattern, capture group holding the secret (0 = all), bytes of public prefix).
type Shape = (&'static str, &'static str, usize, usize);

/// Specific kinds before general ones: at the same place the first listed names the secret.
const SHAPES: &[Shape] = &[
    // Source control, CI, registries.
    ("github_token", r"\bgithub_pat_[A-Za-z0-9_]{40,}", 0, 11),
    ("github_token", r"\bgh[pousr]_[A-Za-z0-9]{30,}", 0, 4),
    (
        "gitlab_token",
        r"\bgl(?:pat|dt|rt|ft|soat|ffct|imt|agent|cbt|ptt|oas)-[A-Za-z0-9_\-]{16,}(?:\.[A-Za-z0-9_\-]+)*",
        0,
        6,
    ),
    ("gitlab_token", r"\bGR1348941[A-Za-z0-9_\-]{20,}", 0, 9),
    ("gitlab_token", r"_gitlab_session=([0-9a-z]{32,})", 1, 0),
    (
        "atlassian_token",
        r"\bAT(?:ATT|CTT)3[A-Za-z0-9_\-=+/]{40,}",
        0,
        6,
    ),
    ("bitbucket_token", r"\bATBB[A-Za-z0-9_=.\-]{28,}", 0, 4),
    ("bitbucket_token", r"\bBBDC-[A-Za-z0-9+/@_\-]{36,}", 0, 5),
    (
        "azure_devops_pat",
        r"\b[A-Za-z0-9]{52}JQQJ9[A-Za-z0-9]{27}\b",
        0,
        0,
    ),
    (
        "circleci_token",
        r"\bCCIPAT_[A-Za-z0-9]{20,}_[0-9a-f]{40}",
        0,
        7,
    ),
    ("buildkite_token", r"\bbkua_[a-z0-9]{40,}", 0, 5),
    ("sonar_token", r"\bsq(?:u|p|a|co)_[0-9a-zA-Z]{40,}", 0, 4),
    (
        "sourcegraph_token",
        r"\bsgp_(?:[0-9a-f]{16}|local)_[0-9a-f]{40}",
        0,
        4,
    ),
    ("sourcegraph_token", r"\bslk_[0-9a-f]{64}", 0, 4),
    ("jfrog_token", r"\bAKCp[A-Za-z0-9]{60,}", 0, 4),
    ("jfrog_token", r"\bcmVmdGtu[A-Za-z0-9]{50,}", 0, 8),
    ("npm_token", r"\bnpm_[A-Za-z0-9]{36,}", 0, 4),
    ("pypi_token", r"\bpypi-Ag[A-Za-z0-9_\-]{40,}", 0, 7),
    ("rubygems_token", r"\brubygems_[0-9a-f]{48,}", 0, 9),
    ("nuget_key", r"\boy2[a-z2-7]{40,}", 0, 3),
    ("crates_io_token", r"\bcio[A-Za-z0-9]{32,}\b", 0, 3),
    ("clojars_token", r"\bCLOJARS_[a-z0-9]{60,}", 0, 8),
    (
        "dockerhub_token",
        r"\bdckr_(?:pat|oat)_[A-Za-z0-9_\-]{24,}",
        0,
        9,
    ),
    (
        "terraform_token",
        r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=\-]{60,}",
        0,
        0,
    ),
    ("pulumi_token", r"\bpul-[0-9a-f]{40,}", 0, 4),
    ("prefect_token", r"\bpnu_[A-Za-z0-9]{36,}", 0, 4),
    ("readme_token", r"\brdme_[a-z0-9]{70,}", 0, 5),
    ("infracost_token", r"\bico-[A-Za-z0-9]{32,}", 0, 4),
    ("deno_token", r"\bdd[pw]_[A-Za-z0-9]{36,}", 0, 4),
    ("scalingo_token", r"\btk-us-[A-Za-z0-9_\-]{48,}", 0, 6),
    ("octopus_key", r"\bAPI-[A-Z0-9]{26,}\b", 0, 4),
    (
        "harness_token",
        r"\b(?:pat|sat)\.[A-Za-z0-9_\-]{22}\.[0-9a-f]{24}\.[A-Za-z0-9]{20,}",
        0,
        4,
    ),
    ("endorlabs_key", r"\bendr\+[A-Za-z0-9\-]{16,}", 0, 5),
    ("clickhouse_secret", r"\b4b1d[A-Za-z0-9]{38}\b", 0, 4),
    ("openshift_token", r"\bsha256~[A-Za-z0-9_\-]{43,}", 0, 7),
    ("finage_key", r"\bAPI_KEY[0-9A-Z]{32}\b", 0, 7),
    ("figma_token", r"\bfigd_[A-Za-z0-9_\-]{40,}", 0, 5),
    // Secrets managers and key material.
    (
        "vault_token",
        r"\bhv[sbr]\.[A-Za-z0-9_\-][A-Za-z0-9_\-.]{78,}[A-Za-z0-9_\-]",
        0,
        4,
    ),
    (
        "doppler_token",
        r"\bdp\.(?:pt|st|ct|sa|scim|audit)\.(?:[a-z0-9_\-]{1,20}\.)?[A-Za-z0-9]{40,}",
        0,
        6,
    ),
    ("onepassword_token", r"\bops_eyJ[A-Za-z0-9+/=]{200,}", 0, 7),
    (
        "onepassword_key",
        r"\bA3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}\b",
        0,
        3,
    ),
    (
        "age_secret_key",
        r"\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{50,}",
        0,
        16,
    ),
    (
        "k3s_token",
        r"\bK10[0-9a-f]{64}::[A-Za-z0-9_\-]+:[A-Za-z0-9]{16,}",
        0,
        3,
    ),
    ("private_key", r"\bLS0tLS1CRUdJTi[A-Za-z0-9+/=]{20,}", 0, 0),
    (
        "private_key",
        r"\{[^{}]*\x22kty\x22\s*:\s*\x22[A-Z]+\x22[^{}]*\x22d\x22\s*:\s*\x22([A-Za-z0-9_\-]{20,})\x22",
        1,
        0,
    ),
    (
        "django_secret_key",
        r"\bdjango-insecure-[a-z0-9!@#$%^&*(\-_=+)]{40,}",
        0,
        16,
    ),
    ("password_hash", r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}", 0, 7),
    // Cloud.
    (
        "aws_access_key_id",
        r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b",
        0,
        4,
    ),
    ("aws_bedrock_key", r"\bABSK[A-Za-z0-9+/]{100,}={0,2}", 0, 4),
    (
        "aws_bedrock_key",
        r"\bbedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=&%]{20,}",
        0,
        16,
    ),
    (
        "aws_mws_token",
        r"\bamzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        0,
        9,
    ),
    ("google_api_key", r"\bAIza[0-9A-Za-z_\-]{35}", 0, 4),
    ("google_oauth_token", r"\bya29\.[0-9A-Za-z_\-]{20,}", 0, 5),
    ("google_oauth_token", r"\b1//0[0-9A-Za-z_\-]{40,}", 0, 3),
    (
        "google_client_secret",
        r"\bGOCSPX-[0-9A-Za-z_\-]{24,}",
        0,
        7,
    ),
    (
        "firebase_key",
        r"\bAAAA[A-Za-z0-9_\-]{7}:APA91b[A-Za-z0-9_\-]{100,}",
        0,
        4,
    ),
    (
        "azure_key",
        r"(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{76}(?:\+ASt|ACDb|\+ABa|APIM|\+AMC)[A-Za-z0-9+/]{6}==)",
        1,
        0,
    ),
    (
        "azure_key",
        r"(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{33}(?:\+ASb|\+AEh|\+ARm|AIoT|AzCa|AZEG)[A-Za-z0-9+/]{6}=)",
        1,
        0,
    ),
    (
        "azure_key",
        r"(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{42}\+ACR[A-D][A-Za-z0-9+/]{5})(?:[^A-Za-z0-9+/]|$)",
        1,
        0,
    ),
    (
        "azure_key",
        r"\b[A-Za-z0-9_\-]{44}AzFu[A-Za-z0-9_\-]{6}==",
        0,
        0,
    ),
    (
        "azure_key",
        r"\b[A-Za-z0-9]{42}AzSe[A-D][A-Za-z0-9]{5}\b",
        0,
        0,
    ),
    (
        "azure_client_secret",
        r"(?:^|[^A-Za-z0-9_~.\-])([A-Za-z0-9_~.\-]{3}\dQ~[A-Za-z0-9_~.\-]{31,})",
        1,
        0,
    ),
    (
        "azure_refresh_token",
        r"\b[01]\.A[A-Za-z0-9_\-]{50,}\.[A-Za-z0-9_\-.]{100,}",
        0,
        3,
    ),
    ("alibaba_key_id", r"\bLTAI[A-Za-z0-9]{17,21}\b", 0, 4),
    ("tencent_key_id", r"\bAKID[A-Za-z0-9]{32}\b", 0, 4),
    ("digitalocean_token", r"\bdo[por]_v1_[0-9a-f]{64}", 0, 7),
    (
        "cloudflare_token",
        r"\bcf(?:ut|at|k)_[A-Za-z0-9]{40,}",
        0,
        5,
    ),
    (
        "cloudflare_ca_key",
        r"\bv1\.0-[0-9a-f]{24}-[0-9a-f]{146}",
        0,
        5,
    ),
    ("flyio_token", r"\bfo1_[A-Za-z0-9_\-]{43,}", 0, 4),
    (
        "flyio_token",
        r"\bfm[12][ra]?_[A-Za-z0-9+/=,_\-]{80,}",
        0,
        4,
    ),
    ("heroku_key", r"\bHRKU-AA[A-Za-z0-9_\-]{50,}", 0, 7),
    ("vercel_token", r"\bvc[pikar]_[A-Za-z0-9]{24,}", 0, 4),
    ("netlify_token", r"\bnfp_[A-Za-z0-9_]{36,}", 0, 4),
    ("supabase_token", r"\bsbp_[a-z0-9]{40,}", 0, 4),
    ("supabase_token", r"\bsb_secret_[A-Za-z0-9_\-]{20,}", 0, 10),
    (
        "planetscale_token",
        r"\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_=.\-]{32,}",
        0,
        7,
    ),
    ("databricks_token", r"\bdapi[0-9a-f]{32}(?:-\d)?\b", 0, 4),
    ("mongodb_key", r"\bmdb_sa_sk_[A-Za-z0-9_\-]{40,}", 0, 10),
    // Observability.
    (
        "dynatrace_token",
        r"\bdt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}",
        0,
        7,
    ),
    ("grafana_token", r"\bglc_[A-Za-z0-9+/=]{32,}", 0, 4),
    ("grafana_token", r"\bglsa_[A-Za-z0-9]{32}_[0-9a-f]{8}", 0, 5),
    ("grafana_token", r"\beyJrIjoi[A-Za-z0-9+/=]{60,}", 0, 0),
    (
        "newrelic_key",
        r"\bNR(?:AK|II|IQ)-[A-Za-z0-9_\-]{20,}",
        0,
        5,
    ),
    ("newrelic_key", r"\bNR(?:JS|BR)-[0-9a-f]{19}\b", 0, 5),
    ("newrelic_key", r"\b[0-9a-f]{32}FFFFNRAL\b", 0, 0),
    ("newrelic_key", r"\bAA[0-9a-f]{40}-NRMA\b", 0, 0),
    ("sentry_token", r"\bsntry[us]_[A-Za-z0-9+/=_]{40,}", 0, 7),
    ("sentry_dsn_key", r"https?://([0-9a-f]{32})@", 1, 0),
    ("honeycomb_key", r"\bhc[a-z]i[kc]_[a-z0-9]{50,}", 0, 6),
    // Messaging.
    ("slack_token", r"\bxoxe\.xox[bp]-1-[A-Za-z0-9]{100,}", 0, 10),
    ("slack_token", r"\bxoxe-1-[A-Za-z0-9]{100,}", 0, 7),
    (
        "slack_token",
        r"\bxapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{20,}",
        0,
        5,
    ),
    ("slack_token", r"\bxox[abposre]-[A-Za-z0-9\-]{10,}", 0, 5),
    (
        "slack_webhook",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_\-]+",
        0,
        29,
    ),
    (
        "discord_webhook",
        r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_\-]+",
        0,
        33,
    ),
    (
        "discord_token",
        r"\b[MNO][A-Za-z0-9_\-]{23,25}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38}\b",
        0,
        0,
    ),
    ("telegram_token", r"\b\d{8,10}:AA[A-Za-z0-9_\-]{33}\b", 0, 0),
    (
        "teams_webhook",
        r"https://[a-z0-9\-]+\.webhook\.office\.com/webhookb2/[^\s\x22'<>]+",
        0,
        8,
    ),
    ("twilio_key", r"\bSK[0-9a-fA-F]{32}\b", 0, 2),
    (
        "sendgrid_key",
        r"\bSG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}",
        0,
        3,
    ),
    ("mailgun_key", r"\bkey-[0-9a-f]{32}\b", 0, 4),
    ("mailchimp_key", r"\b[0-9a-f]{32}-us\d{1,2}\b", 0, 0),
    (
        "brevo_key",
        r"\bx(?:keysib|smtpsib)-[0-9a-f]{64}-[A-Za-z0-9]{16}",
        0,
        8,
    ),
    // Payments and commerce.
    (
        "stripe_key",
        r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}",
        0,
        8,
    ),
    ("stripe_key", r"\bwhsec_[A-Za-z0-9+/=]{24,}", 0, 6),
    (
        "stripe_key",
        r"\bpi_[A-Za-z0-9]{16,}_secret_[A-Za-z0-9]{16,}",
        0,
        3,
    ),
    ("square_token", r"\bEAAA[A-Za-z0-9_+=\-]{50,}", 0, 4),
    (
        "square_token",
        r"\bsq0(?:atp|csp)-[A-Za-z0-9_\-]{22,}",
        0,
        7,
    ),
    (
        "braintree_token",
        r"access_token\$production\$[a-z0-9]{16}\$[0-9a-f]{32}",
        0,
        24,
    ),
    (
        "razorpay_key",
        r"\brzp_(?:live|test)_[A-Za-z0-9]{14,}",
        0,
        9,
    ),
    (
        "flutterwave_key",
        r"\bFLWSECK(?:_TEST)?-[0-9a-h]{32}-X",
        0,
        8,
    ),
    (
        "shopify_token",
        r"\bshp(?:at|ca|pa|ss)_[0-9a-fA-F]{32,}",
        0,
        6,
    ),
    (
        "plaid_token",
        r"\baccess-(?:sandbox|development|production)-[0-9a-f\-]{36}",
        0,
        7,
    ),
    ("easypost_key", r"\bEZ[AT]K[A-Za-z0-9]{50,}", 0, 4),
    (
        "shippo_token",
        r"\bshippo_(?:live|test)_[0-9a-f]{40}",
        0,
        12,
    ),
    (
        "duffel_token",
        r"\bduffel_(?:test|live)_[A-Za-z0-9_=\-]{40,}",
        0,
        12,
    ),
    ("pagarme_key", r"\bak_live_[A-Za-z0-9]{30,}", 0, 8),
    // AI providers.
    (
        "anthropic_key",
        r"\bsk-ant-(?:api|admin|sid)\d\d-[A-Za-z0-9_\-]{20,}",
        0,
        7,
    ),
    ("openrouter_key", r"\bsk-or-v1-[0-9a-f]{64}", 0, 9),
    (
        "openai_key",
        r"\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}",
        0,
        8,
    ),
    ("openai_key", r"\bsk-[A-Za-z0-9_\-]{20,}", 0, 3),
    ("groq_key", r"\bgsk_[A-Za-z0-9]{48,}", 0, 4),
    ("perplexity_key", r"\bpplx-[A-Za-z0-9]{40,}", 0, 5),
    ("xai_key", r"\bxai-[A-Za-z0-9_]{60,}", 0, 4),
    (
        "huggingface_token",
        r"\b(?:hf|api_org)_[A-Za-z0-9]{30,}",
        0,
        3,
    ),
    ("replicate_token", r"\br8_[A-Za-z0-9_\-]{30,}", 0, 3),
    (
        "langsmith_key",
        r"\blsv2_(?:pt|sk)_[0-9a-f]{32}_[0-9a-f]{10}",
        0,
        8,
    ),
    (
        "pinecone_key",
        r"\bpcsk_[A-Za-z0-9]{5,6}_[A-Za-z0-9]{50,}",
        0,
        5,
    ),
    ("nvidia_key", r"\bnvapi-[A-Za-z0-9_\-]{60,}", 0, 6),
    ("elevenlabs_key", r"\bsk_[0-9a-f]{48}\b", 0, 3),
    (
        "tavily_key",
        r"\btvly-(?:dev-|prod-)?[A-Za-z0-9]{30,}",
        0,
        5,
    ),
    // SaaS.
    ("notion_token", r"\bntn_\d{11}[A-Za-z0-9]{35,}", 0, 4),
    ("notion_token", r"\bsecret_[A-Za-z0-9]{43}\b", 0, 7),
    ("linear_key", r"\blin_api_[A-Za-z0-9]{40,}", 0, 8),
    (
        "airtable_token",
        r"\bpat[A-Za-z0-9]{14}\.[0-9a-f]{64}",
        0,
        3,
    ),
    ("clickup_token", r"\bpk_\d{7,9}_[0-9A-Z]{32}\b", 0, 3),
    ("postman_key", r"\bPMAK-[0-9a-f]{24}-[0-9a-f]{34}", 0, 5),
    ("typeform_token", r"\btfp_[A-Za-z0-9_.=\-]{40,}", 0, 4),
    ("contentful_token", r"\bCFPAT-[A-Za-z0-9_\-]{43,}", 0, 6),
    ("hubspot_token", r"\bpat-(?:na|eu)1-[0-9a-f\-]{36}", 0, 8),
    (
        "launchdarkly_key",
        r"\b(?:api|sdk)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
        0,
        4,
    ),
    (
        "mapbox_token",
        r"\bsk\.eyJ[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{20,}",
        0,
        3,
    ),
    (
        "salesforce_token",
        r"\b00D[A-Za-z0-9]{12}![A-Za-z0-9_.]{80,}",
        0,
        0,
    ),
    ("salesforce_token", r"\b5Aep861[A-Za-z0-9._=]{60,}", 0, 7),
    ("facebook_token", r"\bEAA[A-Z][A-Za-z0-9]{90,}", 0, 3),
    (
        "facebook_token",
        r"\b\d{15,16}\|[0-9A-Za-z_\-]{27,40}\b",
        0,
        0,
    ),
    ("twitter_token", r"\bA{22}[A-Za-z0-9%]{50,}", 0, 0),
    (
        "maxmind_key",
        r"\b[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk\b",
        0,
        0,
    ),
    ("posthog_key", r"\bphx_[A-Za-z0-9_]{40,}", 0, 4),
    ("rootly_key", r"\brootly_[0-9a-f]{64}", 0, 7),
    ("ramp_key", r"\bramp_(?:sec|id)_[A-Za-z0-9]{40,}", 0, 9),
    ("pganalyze_key", r"\bpgar_[A-Za-z0-9]{27,}", 0, 5),
    ("nightfall_key", r"\bNF-[A-Za-z0-9]{32,}", 0, 3),
    (
        "settlemint_token",
        r"\bsm_(?:pat|aat|sat)_[A-Za-z0-9]{16,}",
        0,
        7,
    ),
    ("adobe_secret", r"\bp8e-[A-Za-z0-9\-]{32,}", 0, 4),
    ("adafruit_key", r"\baio_[A-Za-z0-9]{28,}", 0, 4),
    ("apify_token", r"\bapify_api_[A-Za-z0-9]{36,}", 0, 10),
    ("frameio_token", r"\bfio-u-[A-Za-z0-9_=\-]{64,}", 0, 6),
    ("zoho_token", r"\b1000\.[0-9a-f]{32}\.[0-9a-f]{32}", 0, 5),
    (
        "tailscale_key",
        r"\btskey-(?:api|auth|client|scim|webhook)-[A-Za-z0-9]+-[A-Za-z0-9]{16,}",
        0,
        6,
    ),
    (
        "defined_token",
        r"\bdnkey-[A-Za-z0-9=_\-]{26}-[A-Za-z0-9=_\-]{52,}",
        0,
        6,
    ),
    (
        "authress_key",
        r"\b(?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.acc_[a-z0-9\-]{10,32}\.[A-Za-z0-9+/_=\-]{30,}",
        0,
        0,
    ),
    ("intra42_secret", r"\bs-s4t2(?:ud|af)-[0-9a-f]{64}", 0, 9),
    ("bannerbear_key", r"\bbb_(?:pr|ma)_[0-9a-f]{30}", 0, 6),
    ("pubnub_key", r"\bpub-c-[0-9a-f\-]{36}", 0, 6),
    ("robinhood_key", r"\brh-api-[0-9a-f\-]{36}", 0, 7),
    (
        "saladcloud_key",
        r"\bsalad_cloud_[A-Za-z0-9]+_[A-Za-z0-9]{7,}",
        0,
        12,
    ),
    (
        "trufflehog_key",
        r"\bthog-(?:key|secret)-[0-9a-f]{16,}",
        0,
        5,
    ),
    (
        "voiceflow_key",
        r"\bVF\.(?:(?:DM|WS)\.)?[0-9a-f]{24}\.[A-Za-z0-9]{16}",
        0,
        3,
    ),
    ("fleetbase_key", r"\bflb_live_[A-Za-z0-9]{20,}", 0, 9),
    ("flexport_key", r"\bshltm_[A-Za-z0-9_\-]{40,}", 0, 6),
    ("ubidots_token", r"\bBBFF-[A-Za-z0-9]{30,}", 0, 5),
    ("teamwork_key", r"\btkn\.v1_[A-Za-z0-9]{60,}=?", 0, 7),
    ("fullstory_key", r"\bna1\.[A-Za-z0-9+/]{100,}", 0, 4),
    // Structures.
    (
        "jwt",
        r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
        0,
        3,
    ),
    (
        "jwt",
        r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
        0,
        3,
    ),
    ("jwt", r"\bZXlK[A-Za-z0-9+/=]{40,}", 0, 0),
];

struct Compiled {
    /// The shapes that may match a text, from the literals each must contain (`ghp_`, `AKIA`,
    /// `eyJ` …): one Aho-Corasick pass instead of an overlapping regex-set search, which kept
    /// building lazy-DFA states and was a fifth of a clean scan's report.
    candidates: CandidateIndex,
    regexes: Vec<Regex>,
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    let patterns: Vec<String> = SHAPES
        .iter()
        .map(|s| super::ascii_boundaries(s.1))
        .collect();
    let candidates = CandidateIndex::new(patterns.iter().map(|p| (&[][..], p.as_str())));
    // The table is a constant, tested in full: a bad pattern is a bug caught by every test.
    let regexes = SHAPES.iter().map(|s| super::regex(s.1)).collect();
    Compiled {
        candidates,
        regexes,
    }
});

/// Spans of every vendor token in `text`.
pub(super) fn find(text: &str, out: &mut Vec<Span>) {
    let c = &*COMPILED;
    for i in c.candidates.matches(text) {
        let (kind, _, group, visible) = SHAPES[i];
        for caps in c.regexes[i].captures_iter(text) {
            if let Some(m) = caps.get(group) {
                out.push(Span {
                    start: m.start(),
                    end: m.end(),
                    kind,
                    visible,
                });
            }
        }
    }
}
