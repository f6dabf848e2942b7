package proxy

import "net/http"

// routeAdmin mounts the admin API under /admin/v1/, behind the admin token.
func (s *Server) routeAdmin() {
	s.mux.HandleFunc("/admin/v1/", func(w http.ResponseWriter, r *http.Request) {
		if aerr := s.auth.adminOK(r); aerr != nil {
			aerr.write(w)
			return
		}
		(&apiError{status: http.StatusNotFound, typ: typeNotFound, code: "not_found", message: "no admin route for " + r.Method + " " + r.URL.Path}).write(w)
	})
}
