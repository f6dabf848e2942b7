package anthropic

import "net/http"

// models answers GET /v1/models: every configured model in one page.
func (s *Server) models(w http.ResponseWriter, _ []byte) {
	data := make([]map[string]string, len(s.cfg.Models))
	for i, id := range s.cfg.Models {
		data[i] = map[string]string{"type": "model", "id": id, "display_name": id, "created_at": "2025-01-01T00:00:00Z"}
	}
	page := map[string]any{"data": data, "has_more": false, "first_id": nil, "last_id": nil}
	if len(data) > 0 {
		page["first_id"], page["last_id"] = data[0]["id"], data[len(data)-1]["id"]
	}
	writeJSON(w, http.StatusOK, page)
}
