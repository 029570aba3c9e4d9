/** What a RunObject is created with: the test as it was when the run started, with its registrars and accounts. */
import type { RegistrarTls, SipTransport, TestGroup } from "../../../protocol/index.js";
import type { PlanLimits } from "../runs/quota.js";

export interface RunInit {
  runId: string;
  orgId: string;
  projectId: string;
  testId: string;
  testName: string;
  durationSec: number;
  buildupSec: number;
  /** Epoch ms. */
  createdAt: number;
  groups: TestGroup[];
  /** The org's plan limits and starting credits (null = unmetered) when the run was created. */
  limits: PlanLimits;
  initialCredits: number | null;
  registrars: { id: string; name: string; domain: string; port: number | null; transport: SipTransport; outboundProxy: string | null; tls?: RegistrarTls | null }[];
  accounts: { registrarId: string; username: string; authUsername: string | null; password: string; realm: string | null }[];
}
