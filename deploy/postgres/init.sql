-- One database per service (ARCHITECTURE.md "Two ways to run").
CREATE DATABASE members;
CREATE DATABASE meetings;
CREATE DATABASE oversight;
CREATE DATABASE reporting;
