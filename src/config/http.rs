//! HTTP options of a source beyond its URL and token: basic auth (the password from an
//! environment variable or a file, never the config), extra headers (a tenant's
//! `X-Scope-OrgID` for Mimir, Cortex or Thanos) and a private CA certificate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::error::{ConfigError, Locator};
use super::secret::SecretRef;

/// How a source's HTTP requests authenticate and what they carry besides the token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpOptions {
    /// `username` with `password_env` or `password_file`: HTTP basic auth.
    pub basic_auth: Option<BasicAuth>,
    /// Extra headers sent with every request, in name order.
    pub headers: Vec<(String, String)>,
    /// A PEM file of CA certificates trusted besides the system's, for a private CA.
    pub ca_file: Option<PathBuf>,
}

/// HTTP basic auth credentials: the user, and where the password comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicAuth {
    /// The user name.
    pub username: String,
    /// Where the password is read from when the source starts.
    pub password: SecretRef,
}

/// The HTTP fields of one `[[source]]` as written.
pub(crate) struct RawHttp {
    pub(crate) username: Option<Spanned<String>>,
    pub(crate) password_env: Option<Spanned<String>>,
    pub(crate) password_file: Option<Spanned<String>>,
    pub(crate) headers: Option<BTreeMap<String, Spanned<String>>>,
    pub(crate) ca_file: Option<Spanned<String>>,
    /// Whether the source also has a token (which already sets `Authorization`).
    pub(crate) has_token: bool,
}

/// Checks the HTTP fields; relative files start at `base`, the config file's directory.
pub(crate) fn validate_http(
    raw: RawHttp,
    base: Option<&Path>,
    at: &Locator<'_>,
) -> Result<HttpOptions, ConfigError> {
    let password = match (raw.password_env, raw.password_file) {
        (Some(_), Some(file)) => {
            return Err(at.at(
                Some(file.span()),
                "give password_env or password_file, not both",
            ));
        }
        (Some(env), None) => Some((env.span(), SecretRef::Env(env.into_inner()))),
        (None, Some(file)) => {
            let span = file.span();
            Some((span, SecretRef::file_relative_to(file.get_ref(), base)))
        }
        (None, None) => None,
    };
    let basic_auth = match (raw.username, password) {
        (Some(user), Some(_)) if raw.has_token => {
            return Err(at.at(
                Some(user.span()),
                "give a token or a username and password, not both",
            ));
        }
        (Some(user), Some((_, password))) => {
            if user.get_ref().trim().is_empty() || user.get_ref().contains(':') {
                return Err(at.at(
                    Some(user.span()),
                    "username must not be empty or contain `:`",
                ));
            }
            Some(BasicAuth {
                username: user.into_inner(),
                password,
            })
        }
        (Some(user), None) => {
            return Err(at.at(
                Some(user.span()),
                "username needs password_env or password_file",
            ));
        }
        (None, Some((span, _))) => {
            return Err(at.at(Some(span), "a password needs a username"));
        }
        (None, None) => None,
    };
    let mut headers = Vec::new();
    for (name, value) in raw.headers.unwrap_or_default() {
        // Errors point at the value: it is on the header's line.
        let valid_name = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !valid_name {
            return Err(at.at(
                Some(value.span()),
                format!("`{name}` is not an HTTP header name"),
            ));
        }
        let authorizes = name.eq_ignore_ascii_case("authorization");
        if authorizes && (raw.has_token || basic_auth.is_some()) {
            return Err(at.at(
                Some(value.span()),
                "the Authorization header is already set by the token or username",
            ));
        }
        // Visible ASCII and spaces only: the value is never echoed, so say what is wrong.
        if !value
            .get_ref()
            .bytes()
            .all(|b| b == b' ' || b == b'\t' || b.is_ascii_graphic())
        {
            return Err(at.at(Some(value.span()), "a header value must be printable ASCII"));
        }
        headers.push((name, value.into_inner()));
    }
    let ca_file = raw.ca_file.map(|file| {
        let path = PathBuf::from(file.get_ref());
        match base {
            Some(base) if path.is_relative() => base.join(path),
            _ => path,
        }
    });
    Ok(HttpOptions {
        basic_auth,
        headers,
        ca_file,
    })
}
