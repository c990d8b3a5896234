//! The HTTP API as `template.yaml` declares it: every `AWS::ApiGatewayV2::Route` (its
//! route key, the function behind its integration) and its authorization (`JWT` with
//! the standalone authorizer and the route's scopes, or `NONE`). Read once at start, so
//! the template stays the only list of routes.

use std::collections::BTreeMap;

use crate::template::{Template, referenced, strings};

/// One route: `METHOD /path/{param}` → a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: String,
    pub path: String,
    /// The crate name in `CodeUri: functions/<name>/` (also its `Binary`), which is
    /// the name `cargo lambda watch` knows the function by.
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
    /// The routes `template` declares.
    pub fn from_template(template: &Template) -> Result<Self, String> {
        let of_type = |kind| template.of_type(kind);
        let mut authorizers = BTreeMap::new();
        for (id, props) in of_type("AWS::ApiGatewayV2::Authorizer") {
            if props["AuthorizerType"].as_str() != Some("JWT") {
                return Err(format!(
                    "{id}: not a JWT authorizer; the local edge plays JWT authorizers only"
                ));
            }
            let sources = strings(&props["IdentitySource"]);
            if !sources
                .iter()
                .all(|s| s.eq_ignore_ascii_case("$request.header.Authorization"))
            {
                return Err(format!(
                    "{id}: reads {sources:?}; the local edge reads the Authorization header only"
                ));
            }
            authorizers.insert(id.to_string(), ());
        }
        let functions: BTreeMap<&str, Option<String>> = template
            .functions()
            .map(|(id, name, _)| (id, name))
            .collect();
        let mut integrations = BTreeMap::new();
        for (id, props) in of_type("AWS::ApiGatewayV2::Integration") {
            let target = referenced(&props["IntegrationUri"])
                .ok_or(format!("{id}: IntegrationUri names no function"))?;
            let function = functions
                .get(target.as_str())
                .ok_or(format!("{id}: {target} is not a function of this template"))?
                .clone()
                .ok_or(format!(
                    "{target}: CodeUri is not functions/<name>/, so the function has no local name"
                ))?;
            integrations.insert(id.to_string(), function);
        }
        let mut routes = Vec::new();
        for (id, props) in of_type("AWS::ApiGatewayV2::Route") {
            let key = props["RouteKey"]
                .as_str()
                .ok_or(format!("{id}: no RouteKey"))?;
            let (method, path) = key
                .split_once(' ')
                .ok_or(format!("{id}: RouteKey {key} is not \"METHOD /path\""))?;
            let integration =
                referenced(&props["Target"]).ok_or(format!("{id}: Target names no integration"))?;
            let function = integrations
                .get(&integration)
                .ok_or(format!(
                    "{id}: {integration} is not an integration of this template"
                ))?
                .clone();
            let auth = match props["AuthorizationType"].as_str().unwrap_or("NONE") {
                "NONE" => None,
                "JWT" => {
                    let authorizer = referenced(&props["AuthorizerId"])
                        .ok_or(format!("{id}: JWT without an AuthorizerId"))?;
                    if !authorizers.contains_key(&authorizer) {
                        return Err(format!("{id}: authorizer {authorizer} is not defined"));
                    }
                    Some(RouteAuth {
                        scopes: strings(&props["AuthorizationScopes"]),
                    })
                }
                other => {
                    return Err(format!(
                        "{id}: AuthorizationType {other}; the local edge plays JWT authorizers only"
                    ));
                }
            };
            routes.push(Route {
                method: method.to_uppercase(),
                path: path.to_string(),
                function,
                auth,
            });
        }
        if routes.is_empty() {
            return Err("no AWS::ApiGatewayV2::Route resources: the API has no routes".into());
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

#[cfg(test)]
mod tests {
    use super::Routes;
    use crate::template::Template;

    fn parse(text: &str) -> Result<Routes, String> {
        Routes::from_template(&Template::parse(text)?)
    }

    const TEMPLATE: &str = r#"
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: HTTP}
  Jwt:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Api
      AuthorizerType: JWT
      IdentitySource: [$request.header.Authorization]
      JwtConfiguration: {Issuer: x, Audience: [y]}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/thing/
  FnIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn}
  Read:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: GET /api/things/{id}
      Target: !Sub integrations/${FnIntegration}
      AuthorizationType: NONE
  Mine:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: GET /api/things/mine
      Target: !Sub integrations/${FnIntegration}
      AuthorizationType: JWT
      AuthorizerId: !Ref Jwt
      AuthorizationScopes: [app/write]
  Write:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: POST /api/things
      Target: {"Fn::Sub": "integrations/${FnIntegration}"}
      AuthorizationType: JWT
      AuthorizerId: {Ref: Jwt}
      AuthorizationScopes: [app/admin]
  Queue:
    Type: AWS::SQS::Queue
    Properties: {}
"#;

    #[test]
    fn routes_and_their_authorization() {
        let routes = parse(TEMPLATE).unwrap();
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
        let bad = TEMPLATE.replace("AuthorizerId: !Ref Jwt", "AuthorizerId: !Ref Other");
        assert!(parse(&bad).unwrap_err().contains("Other"));
        let lambda = TEMPLATE.replace("AuthorizerType: JWT", "AuthorizerType: REQUEST");
        assert!(parse(&lambda).is_err());
        let iam = TEMPLATE.replace("AuthorizationType: NONE", "AuthorizationType: AWS_IAM");
        assert!(parse(&iam).is_err());
    }

    #[test]
    fn the_projects_template_parses() {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let routes = Routes::from_template(&Template::load(&path).unwrap()).unwrap();
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
