package azure

import (
	"fmt"
	"strings"
)

// ParseDeployments reads a model→deployment map written
// "model=deployment, model=deployment" (the form of [HeaderDeployments]).
func ParseDeployments(spec string) (map[string]string, error) {
	m := map[string]string{}
	for i, pair := range strings.Split(spec, ",") {
		model, deployment, ok := strings.Cut(strings.TrimSpace(pair), "=")
		model, deployment = strings.TrimSpace(model), strings.TrimSpace(deployment)
		if !ok || model == "" || deployment == "" {
			return nil, fmt.Errorf("entry %d is not model=deployment", i+1)
		}
		m[model] = deployment
	}
	return m, nil
}
