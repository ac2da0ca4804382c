{% autoescape off %}(function () {
  "use strict";
  var here = document.currentScript;
  var frame = document.createElement("iframe");
  frame.src = {{ src }};
  frame.title = {{ title }};
  frame.loading = "lazy";
  frame.width = "100%";
  frame.height = "600";
  frame.style.border = "0";
  here.parentNode.insertBefore(frame, here.nextSibling);
})();
{% endautoescape %}
