package httpserver

import (
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the Prometheus registry of one server instance and the
// collectors this package records into. It does not use the global default
// registry, so several servers can live in one process.
type Metrics struct {
	// Registry is the registry served by Handler. Other packages may register
	// their own collectors in it.
	Registry *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	gqlOps       *prometheus.CounterVec
	gqlDuration  *prometheus.HistogramVec
	operations   *labelSet
	outcomes     *labelSet
}

// NewMetrics creates a registry with the Go runtime and process collectors,
// the HTTP metrics http_requests_total{method,route,status} and
// http_request_duration_seconds{route}, and the GraphQL metrics
// graphql_operations_total{operation,outcome} and
// graphql_operation_duration_seconds{operation}. Every label takes a bounded set of
// values (see ObserveGraphQL and RouteLabel), whatever clients send.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry:   prometheus.NewRegistry(),
		operations: newLabelSet(MaxOperationLabels),
		outcomes:   newLabelSet(maxOutcomeLabels),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests served, by method, route and status code.",
		}, []string{"method", "route", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		gqlOps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "graphql_operations_total",
			Help: "GraphQL operations executed, by operation name and outcome.",
		}, []string{"operation", "outcome"}),
		gqlDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "graphql_operation_duration_seconds",
			Help:    "Time to execute GraphQL operations, by operation name.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation"}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.httpRequests, m.httpDuration, m.gqlOps, m.gqlDuration,
	)
	return m
}

// ObserveGraphQL records one executed GraphQL operation. outcome is "ok" (or
// "") on success, otherwise an error code such as "BAD_USER_INPUT". operation
// is the operation name, which the client chooses; so that clients cannot make
// the series grow without end, it is reduced with OperationLabel (anonymous
// operations count as "anonymous", unusual names as "other") and only the first
// MaxOperationLabels distinct names seen keep their own label, every later new
// name counting as "other". A nil receiver records nothing.
func (m *Metrics) ObserveGraphQL(operation, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	op := OperationLabel(operation)
	if op != LabelAnonymous {
		op = m.operations.label(op)
	}
	m.gqlOps.WithLabelValues(op, m.outcomes.label(outcomeLabel(outcome))).Inc()
	m.gqlDuration.WithLabelValues(op).Observe(d.Seconds())
}

// observeHTTP records one served HTTP request. route is one of RouteLabel's
// values, method is reduced with methodLabel, and status is one the server
// wrote. A nil receiver records nothing.
func (m *Metrics) observeHTTP(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.httpRequests.WithLabelValues(methodLabel(method), route, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(route).Observe(d.Seconds())
}

// RegisterDB exposes the connection pool statistics of db under the go_sql_*
// metrics with the label db_name=name. Registering the same name twice is a
// no-op; any other registration conflict panics, as it is a programming
// error.
func (m *Metrics) RegisterDB(db *sql.DB, name string) {
	err := m.Registry.Register(collectors.NewDBStatsCollector(db, name))
	var already prometheus.AlreadyRegisteredError
	if err != nil && !errors.As(err, &already) {
		panic(err)
	}
}

// Handler serves the metrics of the registry in the Prometheus exposition
// format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}
