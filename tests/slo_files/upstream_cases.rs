//! What each upstream example (tests/fixtures/slo_files/upstream) does when loaded alone:
//! the SLOs that load, and every warning, exactly.

/// One upstream file: the source its entry names, the SLOs that load, and every warning
/// (after the file's path).
pub struct Case {
    pub file: &'static str,
    pub source: Option<&'static str>,
    pub loads: &'static [&'static str],
    pub warnings: &'static [&'static str],
}

const SUM_REFUSED: &str = "document 1, item 1 (apiVersion openslo/v1, kind SLO): spec.indicator.spec.ratioMetric.good.metricSource.spec.query: `sum(http_requests{k8s_cluster=\"prod\",component=\"web\",code=~\"2xx|4xx\"})` already applies sum; ondeck queries sum(rate(<selector>[window])) for every window itself: write the counter selector alone, `http_requests{k8s_cluster=\"prod\",component=\"web\",code=~\"2xx|4xx\"}` — this document's SLOs are skipped";
const ANY_GAUGES: &str = "document 1 (apiVersion openslo/v1, kind SLO): spec.indicator.spec.ratioMetric.counter: is not set: the queries are read as gauges (OpenSLO's default); write counter: true for counters";
const ANY_REFUSED: &str = "document 1 (apiVersion openslo/v1, kind SLO): spec.indicator.spec.ratioMetric.good.metricSource.type: `Any` metric sources are not read: ondeck measures SLOs with Prometheus-compatible sources (type: Prometheus) — this document's SLOs are skipped";

pub const CASES: &[Case] = &[
    Case {
        file: "sloth/examples/getting-started.yml",
        source: Some("prom"),
        loads: &["myservice/requests-availability"],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/k8s-getting-started.yml",
        source: Some("prom"),
        loads: &["myservice/requests-availability"],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/multifile.yml",
        source: Some("prom"),
        loads: &[
            "myservice/requests-availability",
            "myservice2/requests-availability",
        ],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/k8s-multifile.yml",
        source: Some("prom"),
        loads: &[
            "myservice/requests-availability",
            "myservice2/requests-availability",
        ],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/no-alerts.yml",
        source: Some("prom"),
        loads: &["myapp/http-availability"],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/kubernetes-apiserver.yml",
        source: Some("prom"),
        loads: &[
            "k8s-apiserver/requests-availability",
            "k8s-apiserver/requests-latency",
        ],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/home-wifi.yml",
        source: Some("prom"),
        loads: &[
            "home-wifi/good-wifi-client-satisfaction",
            "home-wifi/risk-wifi-client-satisfaction",
        ],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/raw-home-wifi.yml",
        source: Some("prom"),
        loads: &["home-wifi/wifi-client-satisfaction"],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/contrib-slo-plugins.yml",
        source: Some("prom"),
        loads: &[
            "myservice/requests-availability-contrib-plugin-info-labels-v1",
            "myservice/requests-availability-contrib-plugin-rule-intervals-v1",
        ],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/plugin-getting-started.yml",
        source: Some("prom"),
        loads: &[],
        warnings: &[
            "document 1 (version prometheus/v1): slos[0].sli.plugin: SLI plugin `getting_started_availability` builds its query in Sloth's plugin code, which ondeck cannot run: write the SLI as events (error and total queries) or raw — SLO `myservice/requests-availability` is skipped",
        ],
    },
    Case {
        file: "sloth/examples/openslo-getting-started.yml",
        source: Some("prom"),
        loads: &[],
        warnings: &[
            "document 1 (apiVersion openslo/v1alpha, kind SLO): OpenSLO `openslo/v1alpha` is not read: ondeck reads apiVersion openslo/v1 — this document is skipped",
        ],
    },
    Case {
        file: "sloth/examples/windows/7d.yaml",
        source: None,
        loads: &[],
        warnings: &[],
    },
    Case {
        file: "sloth/examples/windows/custom-30d.yaml",
        source: None,
        loads: &[],
        warnings: &[],
    },
    Case {
        file: "sloth/internal/alert/windows/google-28d.yaml",
        source: None,
        loads: &[],
        warnings: &[],
    },
    Case {
        file: "openslo/examples/budgeting-method/occurences-slo.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[
            "document 1 (apiVersion openslo/v1, kind SLO): spec.indicator.spec.thresholdMetric.metricSource.type: `Any` metric sources are not read: ondeck measures SLOs with Prometheus-compatible sources (type: Prometheus) — this document's SLOs are skipped",
        ],
    },
    Case {
        file: "openslo/examples/budgeting-method/ratio-timeslices.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[ANY_GAUGES, ANY_REFUSED],
    },
    Case {
        file: "openslo/examples/budgeting-method/timeslices-slo.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[ANY_GAUGES, ANY_REFUSED],
    },
    Case {
        file: "openslo/examples/treat-low-traffic-as-equally-important/timeslices-slo.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[ANY_GAUGES, ANY_REFUSED],
    },
    Case {
        file: "oslo/test/inputs/validate/v1.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[SUM_REFUSED],
    },
    Case {
        file: "oslo/test/inputs/validate/mix/1.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[
            "document 1, item 1 (apiVersion openslo/v1alpha, kind Service): OpenSLO `openslo/v1alpha` is not read: ondeck reads apiVersion openslo/v1 — this document is skipped",
        ],
    },
    Case {
        file: "oslo/test/inputs/validate/invalid-apiversion.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[
            "document 1 (apiVersion foo, kind Service): not a document ondeck reads: ondeck reads Sloth (version: prometheus/v1; apiVersion: sloth.slok.dev/v1 with kind PrometheusServiceLevel or AlertWindows), OpenSLO (apiVersion: openslo/v1) and Pyrra (apiVersion: pyrra.dev/v1alpha1, kind: ServiceLevelObjective) — this document is skipped",
        ],
    },
    Case {
        file: "oslo/internal/files/testdata/format/two-documents.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[],
    },
    Case {
        file: "go-sdk/pkg/openslo/v1/examples/slos.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[SUM_REFUSED],
    },
    Case {
        file: "go-sdk/pkg/openslo/v1/examples/slis.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[],
    },
    Case {
        file: "go-sdk/pkg/openslo/v1/examples/data_sources.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[],
    },
    Case {
        file: "go-sdk/pkg/openslosdk/test_data/decode/v1_slos.yaml",
        source: None,
        loads: &["foo/foo-slo"],
        warnings: &[
            "document 1, item 1 (apiVersion openslo/v1, kind SLO): spec.timeWindow: is not set: measured over a rolling 30d",
            "document 1, item 1 (apiVersion openslo/v1, kind SLO): spec.indicator.spec.ratioMetric.good.metricSource.spec.dimensions: is not a field ondeck knows: ignored",
            "document 1, item 1 (apiVersion openslo/v1, kind SLO): spec.indicator.spec.ratioMetric.total.metricSource.spec.dimensions: is not a field ondeck knows: ignored",
        ],
    },
    Case {
        file: "go-sdk/pkg/openslosdk/test_data/inline/inputs/v1_slo.yaml",
        source: None,
        loads: &["web/my-slo-1", "web/my-slo-2"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/caddy-response-latency.yaml",
        source: Some("prom"),
        loads: &["default/caddy-response-latency"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/nginx.yaml",
        source: Some("prom"),
        loads: &[
            "monitoring/nginx-api-errors",
            "monitoring/nginx-api-latency",
        ],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/prometheus-http.yaml",
        source: Some("prom"),
        loads: &["default/prometheus-api-query"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/prometheus-probe-success.yaml",
        source: Some("prom"),
        loads: &["default/prometheus-blackbox-probe-success"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/pyrra-connect-latency.yaml",
        source: Some("prom"),
        loads: &[],
        warnings: &[
            "document 1 (apiVersion pyrra.dev/v1alpha1, kind ServiceLevelObjective): spec.indicator.latencyNative: native histograms are not read by ondeck: use a latency indicator on a classic histogram — this document's SLOs are skipped",
        ],
    },
    Case {
        file: "pyrra/examples/parca-grpc-queryrange-errors.yaml",
        source: Some("prom"),
        loads: &["parca/parca-grpc-queryrange-errors"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/thanos-http.yaml",
        source: Some("prom"),
        loads: &["monitoring/thanos-query"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/pyrra-kubernetes-errors.yaml",
        source: Some("prom"),
        loads: &["monitoring/pyrra-kubernetes-errors"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/pyrra-filesystem-errors.yaml",
        source: Some("prom"),
        loads: &["monitoring/pyrra-filesystem-errors"],
        warnings: &[],
    },
    Case {
        file: "pyrra/examples/mimir/example-slo.yaml",
        source: Some("prom"),
        loads: &["default/apiserver-read-cluster-latency"],
        warnings: &[],
    },
];
