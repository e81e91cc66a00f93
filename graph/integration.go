package graph

import (
	"github.com/fritid/fritid/graph/model"
	"github.com/fritid/fritid/internal/integration"
)

// endpointInput maps a webhook endpoint's input: a list of event types given (even empty)
// replaces the endpoint's.
func endpointInput(in model.WebhookEndpointInput) integration.EndpointInput {
	out := integration.EndpointInput{URL: in.URL, Description: in.Description, Enabled: in.Enabled,
		SetEventTypes: in.EventTypes != nil}
	for _, t := range in.EventTypes {
		out.EventTypes = append(out.EventTypes, string(t))
	}
	return out
}
