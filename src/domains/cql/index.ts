/**
 * The CQL payer-rule domain's public surface (src/app and src/http import it only from here): the rule engine
 * with its catalog and policy table, and the /api/v1/rules routes plugin with its dependencies.
 */
export { createRuleEngine, type RuleEngineDeps, type RuleEngineService } from './engine.ts';
export type { RuleEngine, RuleService } from './types.ts';
export { ruleRoutes, type RuleRouteDeps } from './routes.ts';
