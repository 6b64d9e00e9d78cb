//! The configuration of Box's server authentication with JWT: the JSON file the Box
//! Developer Console downloads for an app, read into a [`JwtConfig`].
//!
//! A `JwtConfig` holds what the JWT flow needs to get an access token: the app's client
//! ID and client secret, the ID of the public key the app registered with Box, the
//! app's private key, and the subject to authenticate as (the app's service account in
//! an enterprise, or a user). The flow signs a short-lived assertion with the private
//! key and exchanges it at Box's token endpoint for an access token, which the
//! transport then sends with every attempt.
//!
//! The private key is decrypted once, when the config is read, so a wrong passphrase or
//! a damaged key is reported there rather than on the first operation. The client
//! secret and the private key never appear in `Debug` output or in error messages.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use pkcs8::der::SecretDocument;
use pkcs8::{EncryptedPrivateKeyInfo, ObjectIdentifier, PrivateKeyInfo};
use secrecy::SecretString;
use serde::Serialize;
use serde_json::Value;

use crate::errors::BoxError;

/// How long an assertion stays valid. Box rejects an `exp` more than 60 seconds ahead;
/// 30 seconds leaves room for a local clock that is off in either direction.
const ASSERTION_LIFETIME: Duration = Duration::from_secs(30);

/// The length of an assertion's `jti`. Box wants 16 to 128 characters, and 32
/// alphanumerics carry about 190 bits, so two assertions never share one.
const JTI_LEN: usize = 32;

/// The PKCS#8 algorithm of an RSA key (`rsaEncryption`).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// OpenSSL's legacy PEM encryption puts this header inside an `RSA PRIVATE KEY` block.
const LEGACY_ENCRYPTION_HEADER: &str = "Proc-Type: 4,ENCRYPTED";

const WRONG_PASSPHRASE: &str =
    "cannot decrypt the JWT private key: the passphrase is wrong or the key is damaged";

/// Who a JWT assertion authenticates as: Box's `sub` and `box_sub_type` claims.
///
/// # Example
/// ```
/// use box_sdk_gen::auth::jwt_config::JwtSubject;
///
/// let subject = JwtSubject::User("456".to_string());
/// assert_eq!(subject.box_sub_type(), "user");
/// assert_eq!(subject.id(), "456");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtSubject {
    /// The app's service account in the enterprise with this enterprise ID.
    Enterprise(String),
    /// The user with this user ID, such as a managed user or an app user.
    User(String),
}

impl JwtSubject {
    /// The `box_sub_type` claim for this subject: `"enterprise"` or `"user"`.
    pub fn box_sub_type(&self) -> &'static str {
        match self {
            Self::Enterprise(_) => "enterprise",
            Self::User(_) => "user",
        }
    }

    /// The enterprise ID or user ID, sent as the `sub` claim.
    pub fn id(&self) -> &str {
        match self {
            Self::Enterprise(id) | Self::User(id) => id,
        }
    }
}

/// The JWT configuration of a Box app that uses server authentication with JWT.
///
/// Read it from the JSON file the Box Developer Console downloads, with
/// [`from_config_file`](Self::from_config_file) or
/// [`from_config_json_string`](Self::from_config_json_string). The subject is the one
/// the file names; [`with_user_subject`](Self::with_user_subject) and
/// [`with_enterprise_subject`](Self::with_enterprise_subject) give a copy that
/// authenticates as someone else.
///
/// # Example
/// ```
/// use box_sdk_gen::auth::jwt_config::{JwtConfig, JwtSubject};
///
/// # let json = include_str!(concat!(
/// #     env!("CARGO_MANIFEST_DIR"),
/// #     "/tests/fixtures/jwt_test_config.json"
/// # ));
/// let config = JwtConfig::from_config_json_string(json)?;
///
/// assert_eq!(config.client_id(), "test-client-id");
/// assert_eq!(config.subject(), &JwtSubject::Enterprise("test-enterprise-1".into()));
/// assert!(!format!("{config:?}").contains("test-client-secret"));
/// # Ok::<(), box_sdk_gen::errors::BoxError>(())
/// ```
///
/// The private key is kept decrypted, and cloning a `JwtConfig` shares it rather than
/// copying it. It is wiped from memory when the last clone is dropped.
#[derive(Clone)]
#[non_exhaustive]
pub struct JwtConfig {
    client_id: String,
    client_secret: SecretString,
    public_key_id: String,
    // The decrypted key, not the PEM and passphrase it came from: keeping those too
    // would hold a second copy of the secret that nothing reads.
    private_key: Arc<EncodingKey>,
    subject: JwtSubject,
}

impl JwtConfig {
    /// Reads a JWT config from the JSON text the Box Developer Console downloads.
    ///
    /// The config must have `boxAppSettings.clientID`, `boxAppSettings.clientSecret`,
    /// `boxAppSettings.appAuth.publicKeyID` and `boxAppSettings.appAuth.privateKey`.
    /// The subject is the user in `userID` when that is present and not empty, else the
    /// enterprise in `enterpriseID`. The private key may be an encrypted PKCS#8 key
    /// (`ENCRYPTED PRIVATE KEY`, decrypted with `boxAppSettings.appAuth.passphrase`), or
    /// an unencrypted PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`) key, for
    /// which the passphrase is not used.
    ///
    /// # Errors
    ///
    /// A [`Configuration`](crate::errors::ErrorKind::Configuration) error when the text
    /// is not JSON, a field is missing or is not a string, or the private key cannot be
    /// decrypted or is not a usable RSA key. The message names the field; it never
    /// quotes a value from the config.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::auth::jwt_config::JwtConfig;
    /// use box_sdk_gen::errors::ErrorKind;
    ///
    /// let err = JwtConfig::from_config_json_string(r#"{"boxAppSettings": {}}"#).unwrap_err();
    ///
    /// assert_eq!(err.kind(), ErrorKind::Configuration);
    /// assert_eq!(err.to_string(), "the JWT config has no boxAppSettings.clientID");
    /// ```
    pub fn from_config_json_string(json: &str) -> Result<Self, BoxError> {
        // serde_json's messages can quote the value that did not fit, which here may be
        // a secret, so a syntax error is reported by its position only.
        let root: Value = serde_json::from_str(json).map_err(|err| {
            BoxError::configuration(format!(
                "the JWT config is not valid JSON (line {}, column {})",
                err.line(),
                err.column()
            ))
        })?;

        let client_id = required_text(&root, "boxAppSettings.clientID")?;
        let client_secret = required_text(&root, "boxAppSettings.clientSecret")?;
        let public_key_id = required_text(&root, "boxAppSettings.appAuth.publicKeyID")?;
        let private_key = required_text(&root, "boxAppSettings.appAuth.privateKey")?;
        let passphrase = text(&root, "boxAppSettings.appAuth.passphrase")?;
        let subject = match (id(&root, "userID")?, id(&root, "enterpriseID")?) {
            (Some(user_id), _) => JwtSubject::User(user_id),
            (None, Some(enterprise_id)) => JwtSubject::Enterprise(enterprise_id),
            (None, None) => {
                return Err(BoxError::configuration(
                    "the JWT config has neither enterpriseID nor userID",
                ));
            }
        };

        let private_key = SecretString::from(private_key);
        let passphrase = passphrase.map(SecretString::from);
        let private_key = decode_private_key(&private_key, passphrase.as_ref())?;

        Ok(Self {
            client_id,
            client_secret: SecretString::from(client_secret),
            public_key_id,
            private_key: Arc::new(private_key),
            subject,
        })
    }

    /// Reads a JWT config from the JSON file the Box Developer Console downloads.
    ///
    /// See [`from_config_json_string`](Self::from_config_json_string) for what the file
    /// must hold.
    ///
    /// # Errors
    ///
    /// A [`Configuration`](crate::errors::ErrorKind::Configuration) error when the file
    /// cannot be read, with the I/O error as its source, or when its content is not a
    /// usable JWT config.
    ///
    /// # Example
    /// ```no_run
    /// use box_sdk_gen::auth::jwt_config::JwtConfig;
    ///
    /// let config = JwtConfig::from_config_file("config/box_jwt_config.json")?;
    /// println!("authenticating as {:?}", config.subject());
    /// # Ok::<(), box_sdk_gen::errors::BoxError>(())
    /// ```
    pub fn from_config_file(path: impl AsRef<Path>) -> Result<Self, BoxError> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|err| {
            BoxError::configuration(format!(
                "cannot read the JWT config file {}",
                path.display()
            ))
            .with_source(err)
        })?;
        Self::from_config_json_string(&json)
    }

    /// A copy of this config that authenticates as the user with `user_id`.
    ///
    /// The app must be allowed to generate user access tokens for that user in the Box
    /// Developer Console, or Box refuses the token request.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::auth::jwt_config::{JwtConfig, JwtSubject};
    ///
    /// # let json = include_str!(concat!(
    /// #     env!("CARGO_MANIFEST_DIR"),
    /// #     "/tests/fixtures/jwt_test_config.json"
    /// # ));
    /// let config = JwtConfig::from_config_json_string(json)?;
    ///
    /// let as_user = config.with_user_subject("456");
    ///
    /// assert_eq!(as_user.subject(), &JwtSubject::User("456".into()));
    /// # Ok::<(), box_sdk_gen::errors::BoxError>(())
    /// ```
    pub fn with_user_subject(&self, user_id: impl Into<String>) -> Self {
        Self {
            subject: JwtSubject::User(user_id.into()),
            ..self.clone()
        }
    }

    /// A copy of this config that authenticates as the app's service account in the
    /// enterprise with `enterprise_id`.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::auth::jwt_config::{JwtConfig, JwtSubject};
    ///
    /// # let json = include_str!(concat!(
    /// #     env!("CARGO_MANIFEST_DIR"),
    /// #     "/tests/fixtures/jwt_test_config.json"
    /// # ));
    /// let config = JwtConfig::from_config_json_string(json)?.with_user_subject("456");
    ///
    /// let as_enterprise = config.with_enterprise_subject("123");
    ///
    /// assert_eq!(as_enterprise.subject(), &JwtSubject::Enterprise("123".into()));
    /// # Ok::<(), box_sdk_gen::errors::BoxError>(())
    /// ```
    pub fn with_enterprise_subject(&self, enterprise_id: impl Into<String>) -> Self {
        Self {
            subject: JwtSubject::Enterprise(enterprise_id.into()),
            ..self.clone()
        }
    }

    /// The app's client ID, sent as the `iss` claim and as `client_id`.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The app's client secret.
    pub fn client_secret(&self) -> &SecretString {
        &self.client_secret
    }

    /// The ID Box gave the app's public key, sent as the assertion's `kid`.
    pub fn public_key_id(&self) -> &str {
        &self.public_key_id
    }

    /// Who the config authenticates as.
    pub fn subject(&self) -> &JwtSubject {
        &self.subject
    }

    /// Signs the assertion to exchange at Box's token endpoint `audience` for an access
    /// token, valid from `now` for [`ASSERTION_LIFETIME`].
    ///
    /// Each call makes a new `jti`, because Box refuses an assertion whose `jti` it has
    /// seen before.
    pub(crate) fn assertion(
        &self,
        audience: &str,
        now: SystemTime,
    ) -> Result<SecretString, BoxError> {
        let subject_id = self.subject.id();
        if subject_id.is_empty() {
            return Err(BoxError::invalid_argument(format!(
                "the JWT subject's {} ID is empty",
                self.subject.box_sub_type()
            )));
        }
        let since_epoch = now.duration_since(UNIX_EPOCH).map_err(|_| {
            BoxError::configuration(
                "the system clock is set before 1970, so the assertion cannot be dated",
            )
        })?;
        let claims = AssertionClaims {
            iss: &self.client_id,
            sub: subject_id,
            box_sub_type: self.subject.box_sub_type(),
            aud: audience,
            jti: new_jti(),
            exp: (since_epoch + ASSERTION_LIFETIME).as_secs(),
        };
        // Box's TypeScript SDK leaves `kid` out; sending it lets Box pick the right key
        // when the app has two public keys registered during a key rotation.
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.public_key_id.clone());

        let assertion =
            jsonwebtoken::encode(&header, &claims, &self.private_key).map_err(|err| {
                BoxError::configuration("cannot sign the JWT assertion").with_source(err)
            })?;
        Ok(SecretString::from(assertion))
    }
}

impl fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &format_args!("[redacted]"))
            .field("public_key_id", &self.public_key_id)
            .field("private_key", &format_args!("[redacted]"))
            .field("subject", &self.subject)
            .finish()
    }
}

/// The claims of the assertion Box's token endpoint takes for the JWT grant.
#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    box_sub_type: &'static str,
    aud: &'a str,
    jti: String,
    exp: u64,
}

/// A fresh `jti`. It only has to be unique, not secret, so fastrand's generator is
/// enough.
fn new_jti() -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(JTI_LEN)
        .collect()
}

/// The value at the dot-separated `path` from the root of the config, if any.
fn lookup<'a>(root: &'a Value, path: &str) -> Result<Option<&'a Value>, BoxError> {
    let mut value = root;
    let mut walked = 0;
    for key in path.split('.') {
        let object = match value {
            Value::Object(object) => object,
            Value::Null => return Ok(None),
            _ if walked == 0 => {
                return Err(BoxError::configuration(
                    "the JWT config is not a JSON object",
                ));
            }
            _ => {
                return Err(BoxError::configuration(format!(
                    "the JWT config's {} is not an object",
                    &path[..walked - 1]
                )));
            }
        };
        match object.get(key) {
            Some(next) => value = next,
            None => return Ok(None),
        }
        walked += key.len() + 1;
    }
    Ok(Some(value))
}

/// The text at `path`, where null and an empty string count as absent.
fn text(root: &Value, path: &str) -> Result<Option<String>, BoxError> {
    match lookup(root, path)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.is_empty() => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(BoxError::configuration(format!(
            "the JWT config's {path} is not a string"
        ))),
    }
}

fn required_text(root: &Value, path: &str) -> Result<String, BoxError> {
    text(root, path)?
        .ok_or_else(|| BoxError::configuration(format!("the JWT config has no {path}")))
}

/// An enterprise ID or user ID at `path`. Box writes them as strings, but a config
/// edited by hand may hold a number, which means the same ID.
fn id(root: &Value, path: &str) -> Result<Option<String>, BoxError> {
    match lookup(root, path)? {
        Some(Value::Number(number)) if number.is_u64() => Ok(Some(number.to_string())),
        Some(Value::Number(_)) => Err(BoxError::configuration(format!(
            "the JWT config's {path} is not a valid ID"
        ))),
        _ => text(root, path),
    }
}

/// Turns the config's private key PEM into a signing key, checking that it signs.
fn decode_private_key(
    pem: &SecretString,
    passphrase: Option<&SecretString>,
) -> Result<EncodingKey, BoxError> {
    use secrecy::ExposeSecret as _;

    let pem = pem.expose_secret().trim();
    if pem.contains(LEGACY_ENCRYPTION_HEADER) {
        return Err(BoxError::configuration(
            "the JWT private key uses OpenSSL's legacy PEM encryption, which is not \
             supported; convert it to encrypted PKCS#8 with \
             `openssl pkcs8 -topk8 -v2 aes-256-cbc`",
        ));
    }
    let (label, document) = SecretDocument::from_pem(pem).map_err(|err| {
        BoxError::configuration("the JWT private key is not a PEM key").with_source(err)
    })?;

    let key = match label {
        "ENCRYPTED PRIVATE KEY" => {
            let passphrase = passphrase.ok_or_else(|| {
                BoxError::configuration(
                    "the JWT private key is encrypted, but the JWT config has no \
                     boxAppSettings.appAuth.passphrase",
                )
            })?;
            let encrypted: EncryptedPrivateKeyInfo<'_> = document.decode_msg().map_err(|err| {
                BoxError::configuration("the JWT private key is not a valid encrypted key")
                    .with_source(err)
            })?;
            let decrypted = encrypted
                .decrypt(passphrase.expose_secret())
                .map_err(decrypt_error)?;
            // A wrong passphrase can, rarely, pass the padding check and leave
            // garbage that does not decode.
            let info: PrivateKeyInfo<'_> = decrypted
                .decode_msg()
                .map_err(|_| BoxError::configuration(WRONG_PASSPHRASE))?;
            rsa_key(&info)?
        }
        "PRIVATE KEY" => {
            let info: PrivateKeyInfo<'_> = document.decode_msg().map_err(|err| {
                BoxError::configuration("the JWT private key is not a valid PKCS#8 key")
                    .with_source(err)
            })?;
            rsa_key(&info)?
        }
        "RSA PRIVATE KEY" => EncodingKey::from_rsa_der(document.as_bytes()),
        other => {
            return Err(BoxError::configuration(format!(
                "the JWT private key is a PEM {other} block; expected ENCRYPTED PRIVATE \
                 KEY, PRIVATE KEY or RSA PRIVATE KEY"
            )));
        }
    };

    // `EncodingKey` takes DER bytes without looking at them; one signature here turns a
    // damaged key into an error now instead of on the first token request.
    jsonwebtoken::crypto::sign(b"box-jwt-key-check", &key, Algorithm::RS256).map_err(|err| {
        BoxError::configuration("the JWT private key is not a usable RSA key").with_source(err)
    })?;
    Ok(key)
}

fn rsa_key(info: &PrivateKeyInfo<'_>) -> Result<EncodingKey, BoxError> {
    if info.algorithm.oid != RSA_ENCRYPTION {
        return Err(BoxError::configuration(
            "the JWT private key is not an RSA key; Box signs JWT assertions with RS256",
        ));
    }
    // PKCS#8 wraps an RSA key's PKCS#1 `RSAPrivateKey`, which is what
    // `from_rsa_der` takes.
    Ok(EncodingKey::from_rsa_der(info.private_key))
}

/// Maps a failure to decrypt the private key, telling a scheme this SDK lacks apart
/// from a wrong passphrase.
fn decrypt_error(err: pkcs8::Error) -> BoxError {
    use pkcs8::pkcs5::Error as Pkcs5Error;

    match err {
        pkcs8::Error::EncryptedPrivateKey(
            Pkcs5Error::AlgorithmParametersInvalid { .. }
            | Pkcs5Error::UnsupportedAlgorithm { .. }
            | Pkcs5Error::NoPbes1CryptSupport,
        ) => BoxError::configuration(
            "the JWT private key is encrypted with a scheme this SDK cannot decrypt; \
             re-encrypt it as PKCS#8 with PBES2 (PBKDF2 or scrypt, and AES-CBC)",
        )
        // These causes name only the scheme's algorithm.
        .with_source(err),
        // The other failures (bad padding, a decrypted key that is not DER) are what
        // a wrong passphrase produces.
        _ => BoxError::configuration(WRONG_PASSPHRASE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use jsonwebtoken::{DecodingKey, Validation};
    use pkcs8::der::pem::LineEnding;
    use pkcs8::spki::AlgorithmIdentifierRef;
    use secrecy::ExposeSecret;

    use crate::errors::ErrorKind;

    const CONFIG: &str = include_str!("../../tests/fixtures/jwt_test_config.json");
    const ENCRYPTED_KEY: &str = include_str!("../../tests/fixtures/jwt_test_key.pem");
    const PUBLIC_KEY: &str = include_str!("../../tests/fixtures/jwt_test_key.pub.pem");
    const PASSPHRASE: &str = "test-passphrase-only";
    const TOKEN_URL: &str = "https://api.box.com/oauth2/token";
    /// 2023-11-14T22:13:20Z: a fixed `now`, so `exp` is known.
    const NOW_SECS: u64 = 1_700_000_000;

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(NOW_SECS)
    }

    /// The fixture config, changed by `edit`.
    fn config_json(edit: impl FnOnce(&mut Value)) -> String {
        let mut config: Value = serde_json::from_str(CONFIG).unwrap();
        edit(&mut config);
        config.to_string()
    }

    fn app_auth(config: &mut Value) -> &mut serde_json::Map<String, Value> {
        config["boxAppSettings"]["appAuth"].as_object_mut().unwrap()
    }

    /// The fixture key, decrypted and written as an unencrypted PEM with `label`:
    /// `PRIVATE KEY` for PKCS#8, `RSA PRIVATE KEY` for PKCS#1.
    fn unencrypted_key_pem(label: &str) -> String {
        let (_, document) = SecretDocument::from_pem(ENCRYPTED_KEY).unwrap();
        let encrypted: EncryptedPrivateKeyInfo<'_> = document.decode_msg().unwrap();
        let decrypted = encrypted.decrypt(PASSPHRASE).unwrap();
        let der = match label {
            "PRIVATE KEY" => decrypted.as_bytes(),
            _ => {
                decrypted
                    .decode_msg::<PrivateKeyInfo<'_>>()
                    .unwrap()
                    .private_key
            }
        };
        pkcs8::der::pem::encode_string(label, LineEnding::LF, der).unwrap()
    }

    /// A config whose key is `pem` and which has no passphrase.
    fn config_with_key(pem: &str) -> String {
        config_json(|config| {
            app_auth(config).insert("privateKey".into(), pem.into());
            app_auth(config).remove("passphrase");
        })
    }

    /// Verifies `assertion` against the fixture's public key and gives its header and
    /// claims.
    fn verify(assertion: &SecretString) -> (Header, serde_json::Map<String, Value>) {
        let key = DecodingKey::from_rsa_pem(PUBLIC_KEY.as_bytes()).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[TOKEN_URL]);
        // `now` is fixed in the past, so the assertion has long expired.
        validation.validate_exp = false;
        let token = jsonwebtoken::decode(assertion.expose_secret(), &key, &validation).unwrap();
        (token.header, token.claims)
    }

    fn config_error(json: &str) -> BoxError {
        JwtConfig::from_config_json_string(json).unwrap_err()
    }

    #[test]
    fn reads_every_field_of_a_developer_console_config() {
        let config = JwtConfig::from_config_json_string(CONFIG).unwrap();

        assert_eq!(config.client_id(), "test-client-id");
        assert_eq!(config.client_secret().expose_secret(), "test-client-secret");
        assert_eq!(config.public_key_id(), "test-key-id");
        assert_eq!(
            config.subject(),
            &JwtSubject::Enterprise("test-enterprise-1".into())
        );
    }

    #[test]
    fn reads_a_config_file() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/jwt_test_config.json"
        );

        let config = JwtConfig::from_config_file(path).unwrap();

        assert_eq!(config.public_key_id(), "test-key-id");
    }

    #[test]
    fn a_missing_config_file_is_a_configuration_error_naming_the_path() {
        let path = std::env::temp_dir().join("box-sdk-gen-no-such-jwt-config.json");

        let err = JwtConfig::from_config_file(&path).unwrap_err();

        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert_eq!(
            err.to_string(),
            format!("cannot read the JWT config file {}", path.display())
        );
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn debug_shows_no_secret() {
        let config = JwtConfig::from_config_json_string(CONFIG).unwrap();

        let debug = format!("{config:?}");

        assert!(debug.contains("test-client-id"), "{debug}");
        assert!(debug.contains("test-key-id"), "{debug}");
        assert!(debug.contains("test-enterprise-1"), "{debug}");
        assert!(debug.contains("client_secret: [redacted]"), "{debug}");
        assert!(debug.contains("private_key: [redacted]"), "{debug}");
        assert!(!debug.contains("test-client-secret"), "{debug}");
        assert!(!debug.contains(PASSPHRASE), "{debug}");
        for line in ENCRYPTED_KEY
            .lines()
            .filter(|line| !line.starts_with("-----"))
        {
            assert!(!debug.contains(line), "{debug}");
        }
    }

    #[test]
    fn a_user_id_makes_the_user_the_subject_even_beside_an_enterprise_id() {
        let json = config_json(|config| config["userID"] = "test-user-1".into());

        let config = JwtConfig::from_config_json_string(&json).unwrap();

        assert_eq!(config.subject(), &JwtSubject::User("test-user-1".into()));
    }

    #[test]
    fn an_empty_or_null_user_id_leaves_the_enterprise_the_subject() {
        let empty = config_json(|config| config["userID"] = "".into());
        let null = config_json(|config| config["userID"] = Value::Null);

        let subjects =
            [empty, null].map(|json| JwtConfig::from_config_json_string(&json).unwrap().subject);

        let enterprise = JwtSubject::Enterprise("test-enterprise-1".into());
        assert_eq!(subjects, [enterprise.clone(), enterprise]);
    }

    #[test]
    fn a_numeric_enterprise_id_is_read_as_text() {
        let json = config_json(|config| config["enterpriseID"] = 123.into());

        let config = JwtConfig::from_config_json_string(&json).unwrap();

        assert_eq!(config.subject(), &JwtSubject::Enterprise("123".into()));
    }

    #[test]
    fn a_config_without_a_subject_is_rejected() {
        let json = config_json(|config| config["enterpriseID"] = Value::Null);

        let err = config_error(&json);

        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert_eq!(
            err.to_string(),
            "the JWT config has neither enterpriseID nor userID"
        );
    }

    #[test]
    fn each_missing_field_is_named() {
        // The field removed from the fixture, and the field the error names: without
        // boxAppSettings, the first field looked for is missing.
        let cases = [
            ("boxAppSettings.clientID", "boxAppSettings.clientID"),
            ("boxAppSettings.clientSecret", "boxAppSettings.clientSecret"),
            (
                "boxAppSettings.appAuth.publicKeyID",
                "boxAppSettings.appAuth.publicKeyID",
            ),
            (
                "boxAppSettings.appAuth.privateKey",
                "boxAppSettings.appAuth.privateKey",
            ),
            ("boxAppSettings", "boxAppSettings.clientID"),
        ];

        let errors = cases.map(|(removed, _)| {
            config_error(&config_json(|config| {
                let (parent, key) = removed.rsplit_once('.').unwrap_or(("", removed));
                let pointer: String = parent
                    .split('.')
                    .filter(|key| !key.is_empty())
                    .map(|key| format!("/{key}"))
                    .collect();
                let parent = config.pointer_mut(&pointer).unwrap();
                parent.as_object_mut().unwrap().remove(key);
            }))
        });

        for (err, (_, named)) in errors.iter().zip(cases) {
            assert_eq!(err.kind(), ErrorKind::Configuration);
            assert_eq!(err.to_string(), format!("the JWT config has no {named}"));
        }
    }

    #[test]
    fn a_field_of_the_wrong_type_is_named_without_its_value() {
        let secret_number = config_json(|config| {
            config["boxAppSettings"]["clientSecret"] = 987_654_321.into();
        });
        let settings_as_text = config_json(|config| {
            config["boxAppSettings"] = "test-client-secret".into();
        });

        let errors = [secret_number, settings_as_text].map(|json| config_error(&json).to_string());

        assert_eq!(
            errors,
            [
                "the JWT config's boxAppSettings.clientSecret is not a string",
                "the JWT config's boxAppSettings is not an object",
            ]
        );
    }

    #[test]
    fn text_that_is_not_json_is_reported_by_position_only() {
        let json = "{\n  \"boxAppSettings\": {\"clientSecret\": \"test-client-secret\"";

        let err = config_error(json);

        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert_eq!(
            err.to_string(),
            "the JWT config is not valid JSON (line 2, column 57)"
        );
    }

    #[test]
    fn a_wrong_passphrase_is_a_configuration_error_without_the_passphrase() {
        let json = config_json(|config| {
            app_auth(config).insert("passphrase".into(), "not-the-passphrase".into());
        });

        let err = config_error(&json);

        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert_eq!(err.to_string(), WRONG_PASSPHRASE);
        let debug = format!("{err:?}");
        assert!(!debug.contains("not-the-passphrase"), "{debug}");
        assert!(!debug.contains(PASSPHRASE), "{debug}");
    }

    #[test]
    fn an_encrypted_key_without_a_passphrase_names_the_passphrase_field() {
        let json = config_with_key(ENCRYPTED_KEY);

        let err = config_error(&json);

        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert_eq!(
            err.to_string(),
            "the JWT private key is encrypted, but the JWT config has no \
             boxAppSettings.appAuth.passphrase"
        );
    }

    #[test]
    fn unencrypted_pkcs8_and_pkcs1_keys_sign_without_a_passphrase() {
        let configs = ["PRIVATE KEY", "RSA PRIVATE KEY"].map(|label| {
            JwtConfig::from_config_json_string(&config_with_key(&unencrypted_key_pem(label)))
                .unwrap()
        });

        let assertions = configs.map(|config| config.assertion(TOKEN_URL, now()).unwrap());

        for assertion in &assertions {
            let (_, claims) = verify(assertion);
            assert_eq!(claims["iss"], "test-client-id");
        }
    }

    #[test]
    fn a_key_that_is_not_rsa_is_rejected() {
        // An EC key's algorithm identifier; the key bytes do not matter, since the
        // algorithm is checked first.
        let ec_public_key = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
        let info = PrivateKeyInfo::new(
            AlgorithmIdentifierRef {
                oid: ec_public_key,
                parameters: None,
            },
            &[0x30, 0x00],
        );
        let der = SecretDocument::encode_msg(&info).unwrap();
        let pem =
            pkcs8::der::pem::encode_string("PRIVATE KEY", LineEnding::LF, der.as_bytes()).unwrap();

        let err = config_error(&config_with_key(&pem));

        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert_eq!(
            err.to_string(),
            "the JWT private key is not an RSA key; Box signs JWT assertions with RS256"
        );
    }

    #[test]
    fn a_damaged_rsa_key_is_rejected_when_the_config_is_read() {
        let rsa = AlgorithmIdentifierRef {
            oid: RSA_ENCRYPTION,
            parameters: Some(pkcs8::der::AnyRef::NULL),
        };
        let info = PrivateKeyInfo::new(rsa, &[0x30, 0x03, 0x02, 0x01, 0x00]);
        let der = SecretDocument::encode_msg(&info).unwrap();
        let pem =
            pkcs8::der::pem::encode_string("PRIVATE KEY", LineEnding::LF, der.as_bytes()).unwrap();

        let err = config_error(&config_with_key(&pem));

        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert_eq!(
            err.to_string(),
            "the JWT private key is not a usable RSA key"
        );
    }

    #[test]
    fn legacy_openssl_encryption_and_other_pem_blocks_are_explained() {
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
                      DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n\
                      -----END RSA PRIVATE KEY-----\n";
        let certificate = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";

        let errors = [legacy, certificate, "not a key"]
            .map(|pem| config_error(&config_with_key(pem)).to_string());

        assert!(
            errors[0].starts_with("the JWT private key uses OpenSSL's legacy PEM encryption"),
            "{}",
            errors[0]
        );
        assert_eq!(
            errors[1],
            "the JWT private key is a PEM CERTIFICATE block; expected ENCRYPTED PRIVATE KEY, \
             PRIVATE KEY or RSA PRIVATE KEY"
        );
        assert_eq!(errors[2], "the JWT private key is not a PEM key");
    }

    #[test]
    fn the_assertion_is_an_rs256_jwt_with_box_claims() {
        let config = JwtConfig::from_config_json_string(CONFIG).unwrap();

        let assertion = config.assertion(TOKEN_URL, now()).unwrap();

        let (header, claims) = verify(&assertion);
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.kid.as_deref(), Some("test-key-id"));
        assert_eq!(claims["iss"], "test-client-id");
        assert_eq!(claims["sub"], "test-enterprise-1");
        assert_eq!(claims["box_sub_type"], "enterprise");
        assert_eq!(claims["aud"], TOKEN_URL);
        assert_eq!(claims["exp"], NOW_SECS + 30);
        let jti = claims["jti"].as_str().unwrap();
        assert_eq!(jti.len(), JTI_LEN);
        assert!(jti.chars().all(|c| c.is_ascii_alphanumeric()), "{jti}");
        let mut names: Vec<_> = claims.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["aud", "box_sub_type", "exp", "iss", "jti", "sub"]);
    }

    #[test]
    fn each_assertion_has_its_own_jti() {
        let config = JwtConfig::from_config_json_string(CONFIG).unwrap();

        let first = config.assertion(TOKEN_URL, now()).unwrap();
        let second = config.assertion(TOKEN_URL, now()).unwrap();

        let (_, first) = verify(&first);
        let (_, second) = verify(&second);
        assert_ne!(first["jti"], second["jti"]);
    }

    #[test]
    fn an_assertion_for_the_current_time_passes_expiry_validation() {
        let config = JwtConfig::from_config_json_string(CONFIG).unwrap();

        let assertion = config.assertion(TOKEN_URL, SystemTime::now()).unwrap();

        let key = DecodingKey::from_rsa_pem(PUBLIC_KEY.as_bytes()).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[TOKEN_URL]);
        validation.set_issuer(&["test-client-id"]);
        validation.leeway = 0;
        let decoded = jsonwebtoken::decode::<Value>(assertion.expose_secret(), &key, &validation);
        assert!(decoded.is_ok(), "{decoded:?}");
    }

    #[test]
    fn a_user_subject_signs_as_the_user() {
        let config = JwtConfig::from_config_json_string(CONFIG)
            .unwrap()
            .with_user_subject("test-user-1");

        let assertion = config.assertion(TOKEN_URL, now()).unwrap();

        let (_, claims) = verify(&assertion);
        assert_eq!(claims["sub"], "test-user-1");
        assert_eq!(claims["box_sub_type"], "user");
    }

    #[test]
    fn with_subject_copies_change_only_the_subject() {
        let config = JwtConfig::from_config_json_string(CONFIG).unwrap();

        let as_user = config.with_user_subject("test-user-1");
        let back = as_user.with_enterprise_subject("test-enterprise-2");

        assert_eq!(as_user.subject(), &JwtSubject::User("test-user-1".into()));
        assert_eq!(
            back.subject(),
            &JwtSubject::Enterprise("test-enterprise-2".into())
        );
        assert_eq!(back.client_id(), config.client_id());
        assert_eq!(back.public_key_id(), config.public_key_id());
        assert_eq!(
            config.subject(),
            &JwtSubject::Enterprise("test-enterprise-1".into())
        );
    }

    #[test]
    fn an_empty_subject_id_is_refused_before_signing() {
        let config = JwtConfig::from_config_json_string(CONFIG)
            .unwrap()
            .with_user_subject("");

        let err = config.assertion(TOKEN_URL, now()).unwrap_err();

        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert_eq!(err.to_string(), "the JWT subject's user ID is empty");
    }
}
