// The hub's API explorer (ApiDocs): Swagger UI on the document this hub serves (in place of the
// webjar's initializer, which points at an example API on the internet).
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  });
};
