// Starts Swagger UI on the API docs page (a file, not an inline script: the CSP allows
// only this site's scripts).
window.addEventListener("load", function () {
  "use strict";
  var el = document.getElementById("swagger-ui");
  // eslint-disable-next-line no-undef
  window.ui = SwaggerUIBundle({
    url: el.getAttribute("data-spec"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
  });
});
