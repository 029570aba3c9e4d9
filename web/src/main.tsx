import { render } from "solid-js/web";
import { App } from "./App.js";
import { captureTokenFromUrl, checkSession } from "./lib/auth.js";
import "./styles.css";

captureTokenFromUrl();
void checkSession();
const root = document.getElementById("root");
if (root) render(() => <App />, root);
