//! The HTTP API as `template.yaml` declares it: every `HttpApi` event of every function
//! (method, path, which function) and its authorization (the API's default JWT authorizer
//! and its scopes, a route's own scopes, or `Authorizer: NONE`). Read once at start, so
//! the template stays the only list of routes.

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml::Value;

use crate::StackError;

/// One route: `METHOD /path/{param}` → a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: String,
    pub path: String,
    /// The crate name in `CodeUri: target/lambda/<name>/`, which is also the name
    /// `cargo lambda watch` knows the function by.
    pub function: String,
    /// `None` for a public route; the scopes a token must carry (one of) otherwise.
    pub auth: Option<RouteAuth>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteAuth {
    pub scopes: Vec<String>,
}

impl Route {
    /// API Gateway's route key, e.g. `GET /api/profile/{username}`.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The path parameters when `method` and the raw `path` match this route. Parameters
    /// stay as sent (percent-encoded), as API Gateway passes them on.
    pub fn matches(&self, method: &str, path: &str) -> Option<BTreeMap<String, String>> {
        if self.method != "ANY" && self.method != method {
            return None;
        }
        let mut params = BTreeMap::new();
        let mut want = self.path.split('/');
        let mut have = path.split('/');
        loop {
            match (want.next(), have.next()) {
                (None, None) => return Some(params),
                (Some(w), Some(h)) => {
                    if let Some(name) = w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                        if let Some(name) = name.strip_suffix('+') {
                            // A greedy `{proxy+}` takes the rest of the path.
                            let rest: Vec<&str> = std::iter::once(h).chain(have).collect();
                            params.insert(name.to_string(), rest.join("/"));
                            return Some(params);
                        }
                        if h.is_empty() {
                            return None;
                        }
                        params.insert(name.to_string(), h.to_string());
                    } else if w != h {
                        return None;
                    }
                }
                _ => return None,
            }
        }
    }

    fn literal_segments(&self) -> usize {
        self.path.split('/').filter(|s| !s.starts_with('{')).count()
    }
}

/// The API's routes, most specific first (a literal segment beats a parameter, as in API
/// Gateway's route selection).
#[derive(Debug, Clone)]
pub struct Routes(Vec<Route>);

impl Routes {
    pub fn load(template: &Path) -> Result<Self, StackError> {
        let text = std::fs::read_to_string(template).map_err(StackError::io(format!(
            "cannot read {}",
            template.display()
        )))?;
        Self::parse(&text).map_err(|e| StackError::Setup(format!("{}: {e}", template.display())))
    }

    pub fn parse(template: &str) -> Result<Self, String> {
        let doc: Value = serde_yaml::from_str(template).map_err(|e| e.to_string())?;
        let resources = doc["Resources"]
            .as_mapping()
            .ok_or("no Resources mapping")?;
        let apis = http_apis(resources)?;
        let mut routes = Vec::new();
        for (id, resource) in resources {
            if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
                continue;
            }
            let id = id.as_str().unwrap_or("?");
            let props = &resource["Properties"];
            let Some(events) = props["Events"].as_mapping() else {
                continue;
            };
            let function = function_name(props).ok_or_else(|| {
                format!(
                    "{id}: CodeUri is not target/lambda/<name>/, so the function has no local name"
                )
            })?;
            for (event_id, event) in events {
                if event["Type"].as_str() != Some("HttpApi") {
                    continue;
                }
                let event_id = event_id.as_str().unwrap_or("?");
                let where_ = format!("{id}.Events.{event_id}");
                let p = &event["Properties"];
                let method = p["Method"]
                    .as_str()
                    .ok_or(format!("{where_}: no Method"))?
                    .to_uppercase();
                let path = p["Path"]
                    .as_str()
                    .ok_or(format!("{where_}: no Path"))?
                    .to_string();
                let api = api_of(&apis, p).ok_or(format!(
                    "{where_}: ApiId does not name an AWS::Serverless::HttpApi in this template"
                ))?;
                let auth = route_auth(api, &p["Auth"]).map_err(|e| format!("{where_}: {e}"))?;
                routes.push(Route {
                    method: if method == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
                        "ANY".into()
                    } else {
                        method
                    },
                    path,
                    function: function.clone(),
                    auth,
                });
            }
        }
        if routes.is_empty() {
            return Err("no HttpApi events: the API has no routes".into());
        }
        routes.sort_by(|a, b| {
            b.literal_segments()
                .cmp(&a.literal_segments())
                .then((a.method == "ANY").cmp(&(b.method == "ANY")))
        });
        Ok(Self(routes))
    }

    /// The route a request takes and its path parameters; `None` is API Gateway's 404.
    pub fn find(&self, method: &str, path: &str) -> Option<(&Route, BTreeMap<String, String>)> {
        self.0
            .iter()
            .find_map(|r| r.matches(method, path).map(|params| (r, params)))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Route> {
        self.0.iter()
    }
}

/// An HTTP API's authorizers: name → (is it JWT, its scopes), and its default.
struct Api {
    default: Option<String>,
    authorizers: BTreeMap<String, Vec<String>>,
}

fn http_apis(resources: &serde_yaml::Mapping) -> Result<BTreeMap<String, Api>, String> {
    let mut apis = BTreeMap::new();
    for (id, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::HttpApi") {
            continue;
        }
        let id = id.as_str().unwrap_or("?").to_string();
        let auth = &resource["Properties"]["Auth"];
        let mut authorizers = BTreeMap::new();
        if let Some(map) = auth["Authorizers"].as_mapping() {
            for (name, authorizer) in map {
                let name = name.as_str().unwrap_or("?").to_string();
                if authorizer["JwtConfiguration"].is_null() {
                    return Err(format!(
                        "{id}: authorizer {name} is not a JWT authorizer; the local edge plays JWT authorizers only"
                    ));
                }
                let source = authorizer["IdentitySource"]
                    .as_str()
                    .unwrap_or("$request.header.Authorization");
                if !source.eq_ignore_ascii_case("$request.header.Authorization") {
                    return Err(format!(
                        "{id}: authorizer {name} reads {source}; the local edge reads the Authorization header only"
                    ));
                }
                authorizers.insert(name, strings(&authorizer["AuthorizationScopes"]));
            }
        }
        let default = auth["DefaultAuthorizer"].as_str().map(str::to_string);
        if let Some(default) = &default
            && !authorizers.contains_key(default)
        {
            return Err(format!(
                "{id}: DefaultAuthorizer {default} is not among its Authorizers"
            ));
        }
        apis.insert(
            id,
            Api {
                default,
                authorizers,
            },
        );
    }
    Ok(apis)
}

/// `ApiId: !Ref HttpApi`; without an ApiId SAM uses the implicit API, which this template
/// does not have.
fn api_of<'a>(apis: &'a BTreeMap<String, Api>, props: &Value) -> Option<&'a Api> {
    let id = match &props["ApiId"] {
        Value::Tagged(tagged) if tagged.tag == "!Ref" || tagged.tag == "Ref" => {
            tagged.value.as_str()
        }
        Value::Mapping(m) => m.get("Ref").and_then(Value::as_str),
        _ => None,
    }?;
    apis.get(id)
}

fn route_auth(api: &Api, auth: &Value) -> Result<Option<RouteAuth>, String> {
    let name = match auth["Authorizer"].as_str() {
        Some("NONE") => return Ok(None),
        Some(name) => Some(name.to_string()),
        None => api.default.clone(),
    };
    let Some(name) = name else {
        return Ok(None);
    };
    let scopes = api
        .authorizers
        .get(&name)
        .ok_or(format!("authorizer {name} is not defined on its API"))?;
    // A route's own AuthorizationScopes replace the authorizer's, as in SAM.
    let own = strings(&auth["AuthorizationScopes"]);
    Ok(Some(RouteAuth {
        scopes: if own.is_empty() { scopes.clone() } else { own },
    }))
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .map(|s| {
            s.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn function_name(props: &Value) -> Option<String> {
    let code_uri = props["CodeUri"].as_str()?;
    let name = code_uri
        .trim_end_matches('/')
        .strip_prefix("target/lambda/")?;
    (!name.is_empty() && !name.contains('/')).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::Routes;

    const TEMPLATE: &str = r#"
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            IdentitySource: $request.header.Authorization
            AuthorizationScopes: [app/write]
            JwtConfiguration: {issuer: x, audience: [y]}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: target/lambda/thing/
      Events:
        Read:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Method: get
            Path: /api/things/{id}
            Auth:
              Authorizer: NONE
        Mine:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Method: GET
            Path: /api/things/mine
        Write:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Method: POST
            Path: /api/things
            Auth:
              Authorizer: Jwt
              AuthorizationScopes: [app/admin]
        Queue:
          Type: SQS
          Properties: {}
"#;

    #[test]
    fn routes_and_their_authorization() {
        let routes = Routes::parse(TEMPLATE).unwrap();
        let (read, params) = routes.find("GET", "/api/things/a%20b").unwrap();
        assert_eq!(read.key(), "GET /api/things/{id}");
        assert_eq!(read.function, "thing");
        assert_eq!(read.auth, None);
        assert_eq!(params["id"], "a%20b", "raw, as API Gateway passes it");
        let (mine, params) = routes.find("GET", "/api/things/mine").unwrap();
        assert_eq!(
            mine.key(),
            "GET /api/things/mine",
            "a literal beats a parameter"
        );
        assert!(params.is_empty());
        assert_eq!(mine.auth.as_ref().unwrap().scopes, ["app/write"]);
        let (write, _) = routes.find("POST", "/api/things").unwrap();
        assert_eq!(write.auth.as_ref().unwrap().scopes, ["app/admin"]);
        for (method, path) in [
            ("POST", "/api/things/1"),
            ("GET", "/api/things"),
            ("GET", "/api/things/"),
            ("GET", "/api/things/1/2"),
            ("DELETE", "/api/things"),
            ("GET", "/api/thing"),
        ] {
            assert!(routes.find(method, path).is_none(), "{method} {path}");
        }
    }

    #[test]
    fn unknown_authorizers_are_refused_at_start() {
        let bad = TEMPLATE.replace("Authorizer: Jwt", "Authorizer: Other");
        assert!(Routes::parse(&bad).unwrap_err().contains("Other"));
        let lambda = TEMPLATE.replace(
            "JwtConfiguration: {issuer: x, audience: [y]}",
            "FunctionArn: x",
        );
        assert!(Routes::parse(&lambda).is_err());
    }

    #[test]
    fn the_projects_template_parses() {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let routes = Routes::load(&path).unwrap();
        let (public, _) = routes.find("GET", "/api/profile/ada").unwrap();
        assert_eq!(public.function, "get-profile");
        assert!(public.auth.is_none());
        for route in routes
            .iter()
            .filter(|r| r.key() != "GET /api/profile/{username}")
        {
            let auth = route
                .auth
                .as_ref()
                .unwrap_or_else(|| panic!("{} is protected", route.key()));
            assert_eq!(auth.scopes, ["avatars/profile"]);
        }
    }
}
