/** Transaction states of RFC 3261 §17 (Figures 5-8) with the Accepted states of RFC 6026 §7.1-7.2. */
export enum InviteClientState {
  Calling = "Calling",
  Proceeding = "Proceeding",
  Completed = "Completed",
  /** RFC 6026 §8.4: after a 2xx, absorbs nothing and passes 2xx retransmissions to the TU until Timer M. */
  Accepted = "Accepted",
  Terminated = "Terminated",
}

export enum NonInviteClientState {
  Trying = "Trying",
  Proceeding = "Proceeding",
  Completed = "Completed",
  Terminated = "Terminated",
}

export enum InviteServerState {
  Proceeding = "Proceeding",
  Completed = "Completed",
  Confirmed = "Confirmed",
  /** RFC 6026 §8.7: after sending a 2xx; INVITE retransmissions absorbed, ACKs to the TU until Timer L. */
  Accepted = "Accepted",
  Terminated = "Terminated",
}

export enum NonInviteServerState {
  Trying = "Trying",
  Proceeding = "Proceeding",
  Completed = "Completed",
  Terminated = "Terminated",
}
