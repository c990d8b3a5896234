//! The SDK configuration every function shares, built once at init.

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// Default chain (env, then the Lambda role), with timeouts so an unreachable service
/// becomes a 503 within seconds instead of hanging until the Lambda timeout. A first save
/// whose write is unclear makes at most eight calls in a row (the limit count, the
/// ownership read, the upload's get, the puts together, the update, the create
/// transaction, the settling read, the clean-up deletes together) plus the body read,
/// each bounded by `OPERATION_TIMEOUT`: 9 × 3 s and the rendering (under half a second at
/// 1024 MB) stay under save-profile's timeout in template.yaml (28 s), so a slow store is
/// our 503, not API Gateway's.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(3);

/// The roots of Amazon Trust Services, which issues the certificates of every AWS endpoint
/// these functions call (S3 since June 2022, DynamoDB, STS and SSO before that).
pub const AMAZON_TRUST_SERVICES: &[u8] = include_bytes!("amazon-trust-services.pem");

pub async fn load_sdk_config() -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if amazon_roots_serve(std::env::var("AWS_REGION").ok().as_deref()) {
        loader = loader.http_client(https_client());
    }
    loader
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(1))
                .operation_attempt_timeout(Duration::from_secs(2))
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
        .load()
        .await
}

/// Whether the endpoints of `region` chain to the Amazon Trust Services roots: those of
/// the commercial and GovCloud partitions do. The China regions (run by local operators),
/// the isolated partitions and the European Sovereign Cloud have CAs of their own; there,
/// and when no region is set, the SDK's default client with the system's roots is kept.
pub fn amazon_roots_serve(region: Option<&str>) -> bool {
    const OWN_CAS: [&str; 4] = ["cn-", "us-iso", "eu-iso", "eusc-"];
    region.is_some_and(|region| !OWN_CAS.iter().any(|prefix| region.starts_with(prefix)))
}

/// The SDK's default HTTPS client (rustls with aws-lc), trusting only the five roots above.
/// The default trust store reads the system's certificates (one bundle on Lambda, a
/// directory of ~290 files on Debian) and parses them again for every client built, which
/// was most of each function's cold start; five compiled-in roots cost no file I/O.
pub fn https_client() -> SharedHttpClient {
    let trust = TrustStore::empty().with_pem_certificate(AMAZON_TRUST_SERVICES);
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        // Never fails today; if it ever did, the SDK's default (system roots) still works.
        .unwrap_or_default();
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https()
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};

    use super::*;

    /// Published by Amazon Trust Services (amazontrust.com/repository): an edit that drops,
    /// adds or swaps a root fails here, not in production as a TLS error.
    const ROOTS: [(&str, &str); 5] = [
        (
            "Amazon Root CA 1",
            "8ecde6884f3d87b1125ba31ac3fcb13d7016de7f57cc904fe1cb97c6ae98196e",
        ),
        (
            "Amazon Root CA 2",
            "1ba5b2aa8c65401a82960118f80bec4f62304d83cec4713a19c39c011ea46db4",
        ),
        (
            "Amazon Root CA 3",
            "18ce6cfe7bf14e60b2e347b8dfe868cb31d02ebb3ada271569f50343b46db3a4",
        ),
        (
            "Amazon Root CA 4",
            "e35d28419ed02025cfa69038cd623962458da5c695fbdea3c22b0bfb25897092",
        ),
        (
            "Starfield Services Root Certificate Authority - G2",
            "568d6905a2c88708a4b3025190edcfedb1974a606a13c6e5290fcb2ae63edab5",
        ),
    ];

    fn certificates(pem: &str) -> Vec<Vec<u8>> {
        pem.split("-----BEGIN CERTIFICATE-----")
            .skip(1)
            .map(|block| {
                let body: String = block
                    .split("-----END CERTIFICATE-----")
                    .next()
                    .unwrap()
                    .split_whitespace()
                    .collect();
                base64::engine::general_purpose::STANDARD
                    .decode(body)
                    .unwrap()
            })
            .collect()
    }

    #[test]
    fn only_partitions_served_by_amazon_trust_services_get_the_compiled_in_roots() {
        for region in ["us-east-1", "eu-west-3", "ap-southeast-7", "us-gov-west-1"] {
            assert!(amazon_roots_serve(Some(region)), "{region}");
        }
        for region in [
            "cn-north-1",
            "cn-northwest-1",
            "us-iso-east-1",
            "us-isob-east-1",
            "eu-isoe-west-1",
            "us-isof-south-1",
            "eusc-de-east-1",
        ] {
            assert!(!amazon_roots_serve(Some(region)), "{region}");
        }
        assert!(!amazon_roots_serve(None), "no region: the SDK's default");
    }

    #[test]
    fn the_trust_store_is_exactly_the_five_amazon_trust_services_roots() {
        let pem = std::str::from_utf8(AMAZON_TRUST_SERVICES).unwrap();
        let found: Vec<String> = certificates(pem)
            .iter()
            .map(|der| {
                Sha256::digest(der)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect()
            })
            .collect();
        let expected: Vec<&str> = ROOTS.iter().map(|(_, sha)| *sha).collect();
        assert_eq!(found, expected);
        for (name, _) in ROOTS {
            assert!(pem.contains(&format!("CN = {name}")), "{name}");
        }
    }
}
