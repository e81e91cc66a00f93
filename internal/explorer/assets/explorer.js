// Starts GraphiQL in the page's #graphiql element. The element's data-endpoint names the
// GraphQL endpoint on this origin; the browser sends its cookies and Accept-Language as for
// any same-origin request, and headers typed in GraphiQL's header editor are added.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var fetcher = GraphiQL.createFetcher({
    url: new URL(root.getAttribute("data-endpoint"), window.location.href).href,
  });
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, { fetcher: fetcher }));
})();
