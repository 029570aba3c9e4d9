import { render } from "solid-js/web";
import { App } from "./App.js";
import { captureTokenFromUrl } from "./lib/auth.js";
import "./styles.css";

captureTokenFromUrl();
const root = document.getElementById("root");
if (root) render(() => <App />, root);
