package sdk

import (
	"net/http"
	"slices"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk/internal/adapterpb"
)

// Conversions between the SDK's types and their wire form.

func requestToPB(r *Request) *adapterpb.Request {
	return &adapterpb.Request{
		Endpoint: r.Endpoint,
		Format:   r.Format,
		Model:    r.Model,
		Body:     r.Body,
		BaseUrl:  r.BaseURL,
		Secret:   r.Secret,
		Header:   headerToPB(r.Header),
	}
}

func requestFromPB(r *adapterpb.Request) *Request {
	return &Request{
		Endpoint: r.GetEndpoint(),
		Format:   r.GetFormat(),
		Model:    r.GetModel(),
		Body:     r.GetBody(),
		BaseURL:  r.GetBaseUrl(),
		Secret:   r.GetSecret(),
		Header:   headerFromPB(r.GetHeader()),
	}
}

// headerToPB lists h's fields in name order, so equal headers encode
// identically.
func headerToPB(h http.Header) []*adapterpb.Header {
	if len(h) == 0 {
		return nil
	}
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]*adapterpb.Header, len(names))
	for i, name := range names {
		out[i] = &adapterpb.Header{Name: name, Values: h[name]}
	}
	return out
}

func headerFromPB(fields []*adapterpb.Header) http.Header {
	if len(fields) == 0 {
		return nil
	}
	h := make(http.Header, len(fields))
	for _, f := range fields {
		h[http.CanonicalHeaderKey(f.GetName())] = f.GetValues()
	}
	return h
}

func rateLimitToPB(rl *abi.RateLimit) *adapterpb.RateLimit {
	if rl == nil {
		return nil
	}
	return &adapterpb.RateLimit{
		LimitRequests:     rl.LimitRequests,
		RemainingRequests: rl.RemainingRequests,
		ResetRequestsNs:   int64(rl.ResetRequests),
		LimitTokens:       rl.LimitTokens,
		RemainingTokens:   rl.RemainingTokens,
		ResetTokensNs:     int64(rl.ResetTokens),
	}
}

func rateLimitFromPB(rl *adapterpb.RateLimit) *abi.RateLimit {
	if rl == nil {
		return nil
	}
	return &abi.RateLimit{
		LimitRequests:     rl.GetLimitRequests(),
		RemainingRequests: rl.GetRemainingRequests(),
		ResetRequests:     abi.Duration(rl.GetResetRequestsNs()),
		LimitTokens:       rl.GetLimitTokens(),
		RemainingTokens:   rl.GetRemainingTokens(),
		ResetTokens:       abi.Duration(rl.GetResetTokensNs()),
	}
}

func usageToPB(u abi.Usage) *adapterpb.Usage {
	return &adapterpb.Usage{
		InputTokens:       int64(u.InputTokens),
		CachedInputTokens: int64(u.CachedInputTokens),
		OutputTokens:      int64(u.OutputTokens),
	}
}

func usageFromPB(u *adapterpb.Usage) abi.Usage {
	return abi.Usage{
		InputTokens:       abi.Tokens(u.GetInputTokens()),
		CachedInputTokens: abi.Tokens(u.GetCachedInputTokens()),
		OutputTokens:      abi.Tokens(u.GetOutputTokens()),
	}
}

func infoToPB(i Info) *adapterpb.InfoResponse {
	return &adapterpb.InfoResponse{
		Name:           i.Name,
		Version:        i.Version,
		Formats:        i.Formats,
		Endpoints:      i.Endpoints,
		WireCompatible: i.WireCompatible,
		DefaultBaseUrl: i.DefaultBaseURL,
	}
}

func infoFromPB(i *adapterpb.InfoResponse) Info {
	return Info{
		Name:           i.GetName(),
		Version:        i.GetVersion(),
		Formats:        i.GetFormats(),
		Endpoints:      i.GetEndpoints(),
		WireCompatible: i.GetWireCompatible(),
		DefaultBaseURL: i.GetDefaultBaseUrl(),
	}
}

func modelsToPB(ms []Model) *adapterpb.ModelsResponse {
	out := &adapterpb.ModelsResponse{Models: make([]*adapterpb.Model, len(ms))}
	for i, m := range ms {
		out.Models[i] = &adapterpb.Model{Id: m.ID, OwnedBy: m.OwnedBy}
	}
	return out
}

func modelsFromPB(r *adapterpb.ModelsResponse) []Model {
	out := make([]Model, len(r.GetModels()))
	for i, m := range r.GetModels() {
		out[i] = Model{ID: m.GetId(), OwnedBy: m.GetOwnedBy()}
	}
	return out
}
