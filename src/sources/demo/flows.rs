//! The call graphs behind the demo's traces: seven request flows through the fleet
//! (checkout, search, login, product page, notification worker, payment webhook, cart), each
//! built as a tree of spans with their own work time and sequential or concurrent children.
//!
//! Timing, errors and slowness are decided later in `traces`; a flow only says who calls whom,
//! how long each span works by itself, and which leaves may fail or stall.

use super::rng::Rng;

/// How many flows there are; every fleet service appears in at least one.
pub(super) const FLOWS: usize = 7;

/// Children run one after another or all at once.
#[derive(Debug, Clone)]
pub(super) enum Group {
    Seq(Vec<Node>),
    Par(Vec<Node>),
}

/// One span of a flow before timing.
#[derive(Debug, Clone)]
pub(super) struct Node {
    pub service: &'static str,
    pub operation: String,
    pub attributes: Vec<(String, String)>,
    /// Whether it is an HTTP server span (gets `http.status_code`).
    pub http: bool,
    /// Time spent in the span itself, outside its children, in microseconds.
    pub self_us: u64,
    pub children: Vec<Group>,
    /// What the span reports when it is where a failure starts; `None` if it never fails.
    pub failure: Option<&'static str>,
    /// Whether it may be the one stalled span of a slow trace.
    pub may_stall: bool,
}

impl Node {
    fn new(service: &'static str, operation: String, self_us: u64) -> Self {
        Self {
            service,
            operation,
            attributes: Vec::new(),
            http: false,
            self_us,
            children: Vec::new(),
            failure: None,
            may_stall: false,
        }
    }

    fn attr(mut self, key: &str, value: &str) -> Self {
        self.attributes.push((key.to_string(), value.to_string()));
        self
    }

    fn seq(mut self, children: Vec<Node>) -> Self {
        self.children.push(Group::Seq(children));
        self
    }

    fn par(mut self, children: Vec<Node>) -> Self {
        self.children.push(Group::Par(children));
        self
    }

    fn fails(mut self, message: &'static str) -> Self {
        self.failure = Some(message);
        self
    }

    fn stalls(mut self) -> Self {
        self.may_stall = true;
        self
    }
}

/// An HTTP server span of `service`, called by `caller`.
fn http(rng: &mut Rng, service: &'static str, method: &str, route: &str, caller: &str) -> Node {
    let mut node = Node::new(service, format!("{method} {route}"), rng.int(200, 1500))
        .attr("span.kind", "server")
        .attr("http.method", method)
        .attr("http.route", route);
    if !caller.is_empty() {
        node = node.attr("peer.service", caller);
    }
    node.http = true;
    node
}

/// A database call to `db` (a `*-db`, `*-redis` or search cluster service).
fn db(rng: &mut Rng, db: &'static str, system: &str, statement: &str) -> Node {
    let (lo, hi) = match system {
        "redis" => (80, 600),
        "elasticsearch" => (3_000, 25_000),
        _ => (300, 4_000),
    };
    let operation = operation_of(statement);
    Node::new(db, operation, rng.int(lo, hi))
        .attr("span.kind", "client")
        .attr("db.system", system)
        .attr("db.statement", statement)
        .attr("peer.service", db)
        .fails(match system {
            "redis" => "redis: connection pool exhausted",
            "elasticsearch" => "search_phase_execution_exception: shard timeout",
            _ => "canceling statement due to statement timeout",
        })
        .stalls()
}

/// A short span name for a statement, as tracing libraries write it: `SELECT charges`,
/// `INSERT orders`, `GET session:{token}`.
fn operation_of(statement: &str) -> String {
    let words: Vec<&str> = statement.split_whitespace().collect();
    let verb = words.first().copied().unwrap_or("query");
    let after = |marker: &str| {
        words
            .iter()
            .position(|w| *w == marker)
            .and_then(|i| words.get(i + 1))
    };
    let target = match verb {
        "SELECT" | "DELETE" => after("FROM"),
        "INSERT" => after("INTO"),
        _ => words.get(1),
    };
    target.map_or_else(|| verb.to_string(), |t| format!("{verb} {t}"))
}

/// A call from `service` to an external API.
fn external(rng: &mut Rng, service: &'static str, peer: &str, op: &str, lo: u64, hi: u64) -> Node {
    Node::new(service, op.to_string(), rng.int(lo, hi))
        .attr("span.kind", "client")
        .attr("peer.service", peer)
        .attr("http.method", "POST")
        .fails("upstream returned 503 Service Unavailable")
        .stalls()
}

/// Token check against auth, as most flows start.
fn verify(rng: &mut Rng, caller: &str) -> Node {
    http(rng, "auth", "POST", "/introspect", caller).seq(vec![db(
        rng,
        "auth-redis",
        "redis",
        "GET session:{token}",
    )])
}

/// Builds flow `index` (mod [`FLOWS`]).
pub(super) fn build(index: usize, rng: &mut Rng) -> Node {
    match index % FLOWS {
        0 => checkout(rng),
        1 => search(rng),
        2 => login(rng),
        3 => product(rng),
        4 => notify_worker(rng),
        5 => webhook(rng),
        _ => cart(rng),
    }
}

fn checkout(rng: &mut Rng) -> Node {
    let items = rng.int(1, 4);
    let reserve = (0..items)
        .map(|_| {
            http(rng, "inventory", "POST", "/reserve", "checkout").seq(vec![db(
                rng,
                "inventory-db",
                "postgresql",
                "UPDATE stock SET reserved = reserved + $1",
            )])
        })
        .collect();
    let charge = http(rng, "payments", "POST", "/charge", "checkout").seq(vec![
        verify(rng, "payments"),
        db(
            rng,
            "payments-db",
            "postgresql",
            "SELECT * FROM idempotency_keys WHERE key = $1",
        ),
        external(
            rng,
            "payments",
            "card-network",
            "POST /v1/authorize",
            80_000,
            250_000,
        ),
        db(
            rng,
            "payments-db",
            "postgresql",
            "INSERT INTO charges VALUES ($1, $2, $3)",
        ),
    ]);
    let order = http(rng, "checkout", "POST", "/checkout", "gateway")
        .seq(vec![db(rng, "checkout-redis", "redis", "GET cart:{id}")])
        .par(reserve)
        .seq(vec![
            charge,
            db(
                rng,
                "checkout-db",
                "postgresql",
                "INSERT INTO orders VALUES ($1, $2)",
            ),
        ])
        .par(vec![
            http(rng, "notifications", "POST", "/notify", "checkout"),
            db(rng, "checkout-redis", "redis", "DEL cart:{id}"),
        ]);
    http(rng, "gateway", "POST", "/api/checkout", "").seq(vec![verify(rng, "gateway"), order])
}

fn search(rng: &mut Rng) -> Node {
    let shards = rng.int(3, 8);
    let queries = (0..shards)
        .map(|_| db(rng, "search-es", "elasticsearch", "query products-v7"))
        .collect();
    let inner = http(rng, "search", "GET", "/search", "gateway")
        .seq(vec![db(rng, "search-redis", "redis", "GET q:{hash}")])
        .par(queries)
        .seq(vec![http(rng, "inventory", "GET", "/stock", "search").seq(
            vec![db(
                rng,
                "inventory-db",
                "postgresql",
                "SELECT sku, available FROM stock WHERE sku = ANY($1)",
            )],
        )]);
    http(rng, "gateway", "GET", "/api/search", "").seq(vec![verify(rng, "gateway"), inner])
}

fn login(rng: &mut Rng) -> Node {
    let hash_check = Node::new("auth", "bcrypt.verify".to_string(), rng.int(40_000, 90_000))
        .attr("span.kind", "internal")
        .stalls();
    let inner = http(rng, "auth", "POST", "/login", "gateway").seq(vec![
        db(
            rng,
            "auth-db",
            "postgresql",
            "SELECT id, pw_hash FROM users WHERE email = $1",
        ),
        hash_check,
        db(rng, "auth-redis", "redis", "SET session:{token}"),
        db(
            rng,
            "auth-db",
            "postgresql",
            "INSERT INTO login_events VALUES ($1, $2)",
        ),
        http(rng, "notifications", "POST", "/notify", "auth").seq(vec![db(
            rng,
            "notifications-db",
            "postgresql",
            "INSERT INTO outbox VALUES ($1)",
        )]),
    ]);
    http(rng, "gateway", "POST", "/api/login", "").seq(vec![inner])
}

fn product(rng: &mut Rng) -> Node {
    let shards = rng.int(2, 4);
    let related = http(rng, "search", "GET", "/related", "gateway").par(
        (0..shards)
            .map(|_| {
                db(
                    rng,
                    "search-es",
                    "elasticsearch",
                    "more_like_this products-v7",
                )
            })
            .collect(),
    );
    let item = http(rng, "inventory", "GET", "/items/{id}", "gateway").seq(vec![
        db(rng, "inventory-redis", "redis", "GET item:{id}"),
        db(
            rng,
            "inventory-db",
            "postgresql",
            "SELECT * FROM items WHERE id = $1",
        ),
    ]);
    http(rng, "gateway", "GET", "/api/products/{id}", "")
        .seq(vec![verify(rng, "gateway")])
        .par(vec![item, related])
}

fn notify_worker(rng: &mut Rng) -> Node {
    let messages = rng.int(2, 6);
    let sends = (0..messages)
        .map(|_| {
            let sms = rng.chance(0.5);
            let (channel, peer, op) = if sms {
                ("sms", "sms-provider", "POST /2010-04-01/Messages")
            } else {
                ("email", "email-provider", "POST /v3/mail/send")
            };
            Node::new(
                "notifications",
                format!("send {channel}"),
                rng.int(100, 400),
            )
            .attr("span.kind", "internal")
            .attr("messaging.channel", channel)
            .seq(vec![
                Node::new(
                    "notifications",
                    "render template".to_string(),
                    rng.int(500, 3_000),
                )
                .attr("span.kind", "internal"),
                external(rng, "notifications", peer, op, 40_000, 180_000),
            ])
        })
        .collect();
    Node::new(
        "notifications",
        "process notification batch".to_string(),
        rng.int(300, 900),
    )
    .attr("span.kind", "consumer")
    .attr("messaging.system", "kafka")
    .attr("messaging.destination", "notifications.outbox")
    .seq(vec![db(
        rng,
        "notifications-db",
        "postgresql",
        "SELECT * FROM outbox LIMIT 50 FOR UPDATE",
    )])
    .par(sends)
    .seq(vec![db(
        rng,
        "notifications-db",
        "postgresql",
        "UPDATE outbox SET sent_at = now()",
    )])
}

fn webhook(rng: &mut Rng) -> Node {
    let inner = http(rng, "payments", "POST", "/webhooks", "gateway").seq(vec![
        db(
            rng,
            "payments-db",
            "postgresql",
            "SELECT * FROM charges WHERE provider_id = $1",
        ),
        db(
            rng,
            "payments-db",
            "postgresql",
            "UPDATE charges SET state = $1",
        ),
        http(rng, "checkout", "POST", "/orders/{id}/paid", "payments").seq(vec![db(
            rng,
            "checkout-db",
            "postgresql",
            "UPDATE orders SET paid_at = now()",
        )]),
        http(rng, "notifications", "POST", "/notify", "payments").seq(vec![db(
            rng,
            "notifications-db",
            "postgresql",
            "INSERT INTO outbox VALUES ($1)",
        )]),
    ]);
    http(rng, "gateway", "POST", "/webhooks/payments", "").seq(vec![inner])
}

fn cart(rng: &mut Rng) -> Node {
    let lines = rng.int(2, 4);
    let stock = (0..lines)
        .map(|_| {
            http(rng, "inventory", "GET", "/stock", "checkout").seq(vec![db(
                rng,
                "inventory-db",
                "postgresql",
                "SELECT available FROM stock WHERE sku = $1",
            )])
        })
        .collect();
    let inner = http(rng, "checkout", "GET", "/cart", "gateway")
        .seq(vec![db(rng, "checkout-redis", "redis", "GET cart:{id}")])
        .par(stock);
    http(rng, "gateway", "GET", "/api/cart", "").seq(vec![verify(rng, "gateway"), inner])
}
