package mockupstream

// modelsBody is the GET /v1/models answer listing ids, built once.
func modelsBody(ids []string) []byte {
	b := []byte(`{"object":"list","data":[`)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = appendString(b, id)
		b = append(b, `,"object":"model","created":1700000000,"owned_by":"mockupstream"}`...)
	}
	return append(b, "]}"...)
}

// buildModels answers GET /v1/models.
func (s *Server) buildModels(a *answer, _ []byte, _ int64) error {
	a.out = append(a.out, s.models...)
	return nil
}
