/**
 * The simulator's public surface (architecture §6): the engine, its network and fault model, the
 * membership checkers and the membership scenario runner.
 */
export { Simulation, simAddress, pauseBacklogPacketsMaxDefault, streamRetransmitDelayMsDefault, streamRetransmitsMaxDefault } from './simulation.js';
export type { AddNodeOptions, RestartOptions, SimEventListener, SimulationOptions } from './simulation.js';
export { SimNode } from './sim-node.js';
export type { SimNodeStatus } from './sim-node.js';
export { isEvent, isSchedule, isSend } from './actor.js';
export type { ActorContext, ActorFactory, ActorInput, ActorOutput, EventOutput, Kinded, PacketInput, ScheduleOutput, SendOutput, SimActor, StartInput, Tagged, TimerInput } from './actor.js';
export { EventQueue, eventQueueEventsMaxDefault } from './event-queue.js';
export { latencyModelDefault, sampleLatencyMs } from './latency.js';
export type { LatencyModel } from './latency.js';
export { NetworkModel, linkModelDefault, simNodesMax } from './network.js';
export type { LinkModel } from './network.js';
export { SimStats, TrafficCounters } from './stats.js';
export type { ChannelTraffic, DropCounts, NodeTraffic } from './stats.js';
export { FaultTimeline } from './timeline.js';
export type { Excuse, Interval } from './timeline.js';
export { TraceHash } from './trace.js';
export type { TraceSink } from './trace.js';
export { AccuracyChecker, accuracyGraceMsDefault } from './checkers/accuracy.js';
export type { AccuracyReport, FalsePositive } from './checkers/accuracy.js';
export { CompletenessChecker } from './checkers/completeness.js';
export type { CompletenessReport, SubjectDetection } from './checkers/completeness.js';
export { checkAgreement } from './checkers/agreement.js';
export type { AgreementReport, Disagreement } from './checkers/agreement.js';
export type { MembershipView, Observer } from './checkers/view.js';
export { runMembershipSim, convergedAutoNodesMin, failAtMsDefault, joinIntervalMsDefault } from './membership-run.js';
export type { MembershipFactory, MembershipProtocolName, MembershipRunOptions } from './membership-run.js';
export { reportToJson } from './membership-report.js';
export type { MembershipRunReport, TrafficReport } from './membership-report.js';
export { formatNodeShare, formatPartitionSpec, parseNodeShare, parsePartitionSpec, shareCount } from './scenario-spec.js';
export type { NodeShare, PartitionSpec } from './scenario-spec.js';
export { gossipFactory, membershipProtocols, swimFactory } from './protocols.js';
