// Package graph is the GraphQL adapter: the generated executor, thin resolvers (parse, one
// service call, map), the error presenter, limits and per-request loaders.
package graph

//go:generate go tool gqlgen generate
//go:generate go run postgenerate.go

import (
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/content"
	"github.com/fritid/fritid/internal/events"
	"github.com/fritid/fritid/internal/integration"
	"github.com/fritid/fritid/internal/newsletter"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/jobs"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/push"
	"github.com/fritid/fritid/internal/resident"
	"github.com/fritid/fritid/internal/talk"
	"github.com/fritid/fritid/internal/tenant"
)

// Resolver holds the domain services the resolvers call.
type Resolver struct {
	Auth    *auth.Service
	Tenants *tenant.Service
	Portal  *portal.Service
	Cards   *card.Service
	// Queue is the job queue, for the administrators' view of its jobs.
	Queue    *jobs.Queue
	Content  *content.Service
	Calendar *events.Service
	// Newsletters keeps lists, subscribers and campaigns.
	Newsletters *newsletter.Service
	// Integration is the change feed and the webhooks.
	Integration *integration.Service
	// Residents keeps residents' favourites, neighbourhoods and interests.
	Residents *resident.Service
	// Push keeps Web Push subscriptions.
	Push *push.Service
	// Talk keeps neighbourhood notices and residents' questions.
	Talk *talk.Service
	// Bundle localises what resolvers render themselves (printable sheets).
	Bundle *i18n.Bundle

	live *liveState // set by NewHandler when it serves subscriptions
}
